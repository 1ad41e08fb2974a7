import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import type { Db } from "@/db/client";
import { exceptions, outboxDeliveries, users, type CommandKind } from "@/db/schema";
import type { AuditActor } from "@/lib/audit";
import type { DispatcherOptions } from "@/lib/outbox/dispatcher";
import { createEndpoint } from "@/lib/outbox/endpoints";
import { enqueue } from "@/lib/outbox/enqueue";
import { ingestItems } from "@/lib/ingest/ingest";
import { cloudEvent } from "../support/cloud-event";

/*
 * A receiving system for the outbox tests: a real HTTP server on 127.0.0.1 that verifies
 * every delivery with the Standard Webhooks reference library, counts what it received per
 * webhook-id, and answers as the test tells it (a status, or not at all).
 */

export interface Delivery {
  id: string;
  timestamp: string;
  body: { type: string; id: string; data: Record<string, unknown> };
  signatureValid: boolean;
  at: number;
}

export type Behaviour = "ok" | "fail" | "hang" | number;

export interface TestReceiver {
  url: string;
  /** The endpoint's secret, which Closeline generates when the endpoint is created. */
  secret: string;
  deliveries: Delivery[];
  /** What to answer next; a function decides per request. */
  respond: Behaviour | ((delivery: Delivery, nth: number) => Behaviour);
  /** Upper bound of a random wait before answering, to make concurrent deliveries overlap. */
  maxDelayMs: number;
  /** Deliveries of one webhook-id that were answered 2xx. */
  acknowledged: Map<string, number>;
  close(): Promise<void>;
}

export async function startReceiver(secret = ""): Promise<TestReceiver> {
  const hanging = new Set<http.ServerResponse>();
  const receiver: TestReceiver = {
    url: "",
    secret,
    deliveries: [],
    respond: "ok",
    maxDelayMs: 0,
    acknowledged: new Map(),
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const headers = {
        "webhook-id": String(req.headers["webhook-id"] ?? ""),
        "webhook-timestamp": String(req.headers["webhook-timestamp"] ?? ""),
        "webhook-signature": String(req.headers["webhook-signature"] ?? ""),
      };
      let signatureValid = true;
      try {
        new Webhook(receiver.secret).verify(raw, headers);
      } catch {
        signatureValid = false;
      }
      const delivery: Delivery = {
        id: headers["webhook-id"],
        timestamp: headers["webhook-timestamp"],
        body: JSON.parse(raw) as Delivery["body"],
        signatureValid,
        at: Date.now(),
      };
      receiver.deliveries.push(delivery);
      const nth = receiver.deliveries.filter((d) => d.id === delivery.id).length;
      const behaviour =
        typeof receiver.respond === "function" ? receiver.respond(delivery, nth) : receiver.respond;
      if (!signatureValid) {
        res.writeHead(401).end("bad signature");
        return;
      }
      if (behaviour === "hang") {
        hanging.add(res);
        return;
      }
      const status = behaviour === "ok" ? 200 : behaviour === "fail" ? 500 : behaviour;
      if (status >= 200 && status < 300) {
        receiver.acknowledged.set(delivery.id, (receiver.acknowledged.get(delivery.id) ?? 0) + 1);
      }
      res
        .writeHead(status, { "content-type": "text/plain" })
        .end(status < 300 ? "ok" : "receiver failed");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
  return receiver;
}

/**
 * A receiver registered as the endpoint for ERP posting retries. Closeline generates the
 * secret; the receiving system is told it, as an admin would.
 */
export async function startRegisteredReceiver(db: Db) {
  const receiver = await startReceiver();
  const created = await makeEndpoint(db, receiver.url);
  receiver.secret = created.secret;
  return { receiver, secret: created.secret, endpointId: created.endpoint.id };
}

/**
 * Fast schedule for tests: three attempts 40 ms and 80 ms apart. The timeout stays generous:
 * the receiver runs in the test's process, where PGlite's queries hold the event loop, and a
 * receiver that answers 2xx after the timeout is rightly delivered to again.
 */
export const FAST: Partial<DispatcherOptions> = {
  backoffMs: [40, 80],
  timeoutMs: 3_000,
  leaseMs: 5_000,
  jitter: (ms) => ms,
};

/** A command's delivery log, in the order of its attempts. */
export function deliveriesOf(db: Db, commandId: string) {
  return db
    .select()
    .from(outboxDeliveries)
    .where(eq(outboxDeliveries.commandId, commandId))
    .orderBy(outboxDeliveries.id);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const SYSTEM_TEST_ACTOR: AuditActor = { type: "system", id: null, label: "test" };

export async function makeEndpoint(
  db: Db,
  url: string,
  kinds: CommandKind[] = ["erp.posting.retry"],
) {
  return createEndpoint(
    db,
    { name: `test receiver ${randomUUID().slice(0, 8)}`, url, kinds },
    { createdBy: null, actor: SYSTEM_TEST_ACTOR },
  );
}

export async function makeUser(db: Db, role: "operations" | "finance" = "operations") {
  const email = `user-${randomUUID().slice(0, 8)}@closeline.test`;
  const [user] = await db.insert(users).values({ email, role }).returning();
  return {
    user: user!,
    by: { userId: user!.id, actor: { type: "user", id: user!.id, label: email } as AuditActor },
  };
}

/**
 * A failed ERP posting, brought in as telemetry so detection raises its exception. Returns
 * the exception and a function that reports a later attempt, as the ERP connector would.
 */
export async function failedPosting(db: Db, options: { attempt?: number } = {}) {
  const postingId = `PST-T-${randomUUID().slice(0, 8)}`;
  const invoiceId = `INV-T-${randomUUID().slice(0, 8)}`;
  const attempt = options.attempt ?? 1;
  const connector = "urn:closeline:test:erp-connector";
  const event = (n: number, status: "failed" | "succeeded") =>
    cloudEvent("erp.posting.attempted", `evt-${postingId}-${n}`, connector, {
      postingId,
      invoiceId,
      entity: "ACME-US",
      attempt: n,
      status,
      attemptedAt: new Date().toISOString(),
      ...(status === "failed"
        ? { errorCode: "GL_PERIOD_CLOSED", errorMessage: "Period closed" }
        : {}),
    });
  const result = await ingestItems(db, [event(attempt, "failed")], {
    apiKeyId: null,
    channel: "api",
  });
  if (result.accepted !== 1)
    throw new Error(`posting event not accepted: ${JSON.stringify(result.rejected)}`);
  const [exception] = await db.select().from(exceptions).where(eq(exceptions.postingId, postingId));
  if (!exception) throw new Error("no exception raised for the failed posting");
  return {
    postingId,
    invoiceId,
    exception,
    report: (n: number, status: "failed" | "succeeded") =>
      ingestItems(db, [event(n, status)], { apiKeyId: null, channel: "api" }),
  };
}

export async function exceptionById(db: Db, id: string) {
  const [row] = await db.select().from(exceptions).where(eq(exceptions.id, id));
  return row!;
}

/** Enqueues `count` ERP posting retries (payload `{ n }`), each with a key of its own. */
export async function enqueueRetries(db: Db, count: number, keyPrefix: string) {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const { command } = await enqueue(db, {
      kind: "erp.posting.retry",
      payload: { n: i },
      idempotencyKey: `${keyPrefix}:${randomUUID()}`,
    });
    ids.push(command.id);
  }
  return ids;
}
