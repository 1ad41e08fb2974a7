import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exceptions } from "@/db/schema";
import {
  correctionsForException,
  decideCorrection,
  proposeCorrection,
} from "@/lib/corrections/corrections";
import { requestPostingRetry, retryProgress } from "@/lib/exceptions/retry";
import { handleIngest } from "@/lib/ingest/http";
import { ingestItems } from "@/lib/ingest/ingest";
import { dispatchDue } from "@/lib/outbox/dispatcher";
import { registerDemoEndpoint } from "@/lib/outbox/endpoints";
import { generateWebhookSecret, webhookHeaders } from "@/lib/outbox/signature";
import { startDemoReceiver, type DemoReceiver } from "@/lib/simulator/receiver";
import { type TestDb, testDbForSuite } from "../support/db";
import { makeKey } from "../ingest/support";
import { FAST, exceptionById, failedPosting, makeUser, sleep } from "./support";

/*
 * The demo loop end to end: a retry goes through the outbox to the simulator's receiving
 * systems, which verify the signature and report the ERP connector's next attempt through
 * the ingestion API; that telemetry closes the exception. Only the Next.js server is left
 * out: a small HTTP bridge hands POST /api/v1/events to the route's own handler.
 */

const t = testDbForSuite();
let bridge: http.Server;
let appUrl: string;
let secret: string;

async function startBridge(db: TestDb["db"]) {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const request = new Request(`http://127.0.0.1${req.url}`, {
        method: req.method,
        headers: req.headers as Record<string, string>,
        body: Buffer.concat(chunks),
      });
      const response = await handleIngest(db, request);
      res
        .writeHead(response.status, Object.fromEntries(response.headers))
        .end(await response.text());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

async function until<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  withinMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`condition not met in ${withinMs} ms: ${JSON.stringify(value)}`);
    await sleep(50);
  }
}

beforeAll(async () => {
  bridge = await startBridge(t.db);
  appUrl = `http://127.0.0.1:${(bridge.address() as AddressInfo).port}`;
  secret = generateWebhookSecret();
});

afterAll(async () => {
  await new Promise<void>((resolve) => bridge?.close(() => resolve()));
});

async function withReceiver(successRate: number, fn: (receiver: DemoReceiver) => Promise<void>) {
  const key = await makeKey(t.db, ["ingest"], "demo");
  const receiver = await startDemoReceiver({
    url: appUrl,
    key: key.key,
    secret,
    successRate,
    workMs: { min: 10, max: 30 },
    log: () => {},
  });
  await registerDemoEndpoint(t.db, receiver.webhookUrl, secret);
  try {
    await fn(receiver);
  } finally {
    await receiver.close();
  }
}

/** A reconciliation break, a correction proposed by one finance user and approved by another. */
async function approvedBreakCorrection() {
  const runId = `demo-run-${randomUUID().slice(0, 8)}`;
  await ingestItems(
    t.db,
    [
      {
        specversion: "1.0",
        id: runId,
        source: "urn:test:recon",
        type: "reconciliation.result",
        time: new Date().toISOString(),
        data: {
          runId,
          kind: "billing_vs_erp",
          entity: "ACME-EU",
          periodStart: "2026-10-01T00:00:00Z",
          periodEnd: "2026-11-01T00:00:00Z",
          key: "cus_demo",
          currency: "EUR",
          expectedMinor: 100_000,
          actualMinor: 90_000,
        },
      },
    ],
    { apiKeyId: null, channel: "api" },
  );
  const [exception] = await t.db.select().from(exceptions).where(eq(exceptions.runId, runId));
  const finance = async () => {
    const { user } = await makeUser(t.db, "finance");
    return { id: user.id, email: user.email, name: null, role: "finance" as const };
  };
  const proposed = await proposeCorrection(t.db, await finance(), {
    exceptionId: exception!.id,
    kind: "credit_note",
    amountMinor: 10_000,
    currency: "EUR",
    targetSystem: "billing",
    reason: "Credit the difference the ERP did not book",
  });
  await decideCorrection(t.db, await finance(), {
    correctionId: proposed.id,
    decision: "approve",
    expectedVersion: proposed.version,
    reason: "Matches the ledger",
  });
  return { exceptionId: exception!.id, correctionId: proposed.id };
}

describe("demo loop", () => {
  it("a retry closes the exception once the simulated ERP connector reports success", async () => {
    await withReceiver(1, async () => {
      const { by } = await makeUser(t.db);
      const p = await failedPosting(t.db);
      await requestPostingRetry(t.db, p.exception.id, by);
      expect(await dispatchDue(t.db, FAST)).toMatchObject({ delivered: 1 });
      const closed = await until(
        () => exceptionById(t.db, p.exception.id),
        (x) => x.status === "resolved",
      );
      expect(closed.closedBy).toBe("system");
      const [progress] = await retryProgress(t.db, p.exception.id);
      expect(progress).toMatchObject({
        delivered: { state: "done" },
        confirmed: { state: "done", detail: "attempt 2 succeeded" },
      });
    });
  });

  it("a retry that fails again leaves the exception in progress with the new attempt", async () => {
    await withReceiver(0, async () => {
      const { by } = await makeUser(t.db);
      const p = await failedPosting(t.db);
      await requestPostingRetry(t.db, p.exception.id, by);
      await dispatchDue(t.db, FAST);
      const [progress] = await until(
        () => retryProgress(t.db, p.exception.id),
        (list) => list[0]?.confirmed.state !== "waiting",
      );
      expect(progress!.confirmed).toMatchObject({
        state: "failed",
        detail: "attempt 2 failed: GL_PERIOD_CLOSED",
      });
      // Detection runs just after the report's batch commits (before its 200), so the
      // attempt can be visible a moment before the exception reflects it.
      const exception = await until(
        () => exceptionById(t.db, p.exception.id),
        (x) => (x.details as { attempt?: number } | null)?.attempt === 2,
      );
      expect(exception).toMatchObject({ status: "in_progress", details: { attempt: 2 } });
    });
  });

  it("an approved correction closes its exception once the simulated billing system confirms it", async () => {
    await withReceiver(1, async () => {
      const x = await approvedBreakCorrection();
      expect((await exceptionById(t.db, x.exceptionId)).status).toBe("awaiting_confirmation");
      expect(await dispatchDue(t.db, FAST)).toMatchObject({ delivered: 1 });
      const closed = await until(
        () => exceptionById(t.db, x.exceptionId),
        (row) => row.status !== "awaiting_confirmation",
      );
      expect(closed).toMatchObject({ status: "resolved", closedBy: "system" });
      expect(closed.resolutionNote).toMatch(/^Credit Note carried out by billing \(CN-/);
    });
  });

  it("a correction the billing system cannot carry out hands the exception back to people", async () => {
    await withReceiver(0, async () => {
      const x = await approvedBreakCorrection();
      await dispatchDue(t.db, FAST);
      const back = await until(
        () => exceptionById(t.db, x.exceptionId),
        (row) => row.status !== "awaiting_confirmation",
      );
      expect(back.status).toBe("open");
      const [view] = await correctionsForException(t.db, x.exceptionId);
      expect(view!.execution).toMatchObject({
        status: "failed",
        errorMessage: "The target period is closed for posting",
      });
    });
  });

  it("refuses a delivery with a bad signature and acts once on a repeated webhook-id", async () => {
    await withReceiver(1, async (receiver) => {
      const body = JSON.stringify({ type: "correction.execute", id: "cmd-1", data: {} });
      const post = (headers: Record<string, string>) =>
        fetch(receiver.webhookUrl, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body,
        });
      expect((await post(webhookHeaders(generateWebhookSecret(), "cmd-1", body))).status).toBe(401);
      expect((await post(webhookHeaders(secret, "cmd-1", body))).status).toBe(202);
      const repeat = await post(webhookHeaders(secret, "cmd-1", body));
      expect(repeat.status).toBe(200);
      expect(await repeat.text()).toBe("duplicate");
    });
  });
});
