import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Db } from "@/db/client";
import type { AuditActor } from "@/lib/audit";
import { createChannel } from "@/lib/alerts/channels";
import { createRule } from "@/lib/alerts/rules";
import { attempt, type FixtureEvent } from "../kpi/support";

export const ADMIN_ACTOR: AuditActor = { type: "system", id: null, label: "test" };
export const CONTEXT = { userId: null, actor: ADMIN_ACTOR };

/** `n` ERP postings whose first attempt, at `at`, succeeded or failed. */
export function postings(n: number, status: "succeeded" | "failed", at: Date, entity = "EU") {
  const events: FixtureEvent[] = [];
  for (let i = 0; i < n; i++) {
    events.push(
      attempt({
        postingId: `P-${randomUUID()}`,
        invoiceId: `INV-${randomUUID()}`,
        entity,
        attempt: 1,
        status,
        attemptedAt: at.toISOString(),
        ...(status === "failed" ? { errorCode: "TIMEOUT" } : {}),
      }),
    );
  }
  return events;
}

export async function webhookChannel(db: Db, url: string) {
  return createChannel(db, { kind: "webhook", name: `receiver ${randomUUID()}`, url }, CONTEXT);
}

/** The condition "first-pass success below 90 % over the last day". */
export const FIRST_PASS_BELOW_90 = {
  kind: "kpi",
  metric: "erpPosting.firstPassSuccessRate",
  op: "<",
  value: 0.9,
  window: "P1D",
};

/** "First-pass success below 90 % over the last day", to the given channels. */
export async function firstPassRule(
  db: Db,
  channelIds: string[],
  extra: Record<string, unknown> = {},
) {
  return createRule(
    db,
    {
      name: `First pass ${randomUUID()}`,
      severity: "critical",
      condition: FIRST_PASS_BELOW_90,
      entity: null,
      for: "PT0S",
      channelIds,
      ...extra,
    },
    CONTEXT,
  );
}

export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * A local HTTP receiver standing in for Slack, Teams or PagerDuty: it records every request
 * and answers 202 (what Teams workflows and PagerDuty answer), or the status `statusFor`
 * gives the path.
 */
export async function startReceiver(statusFor: (path: string) => number = () => 202) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = req.url ?? "";
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(statusFor(path)).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    /** The JSON bodies sent to `path`, in order. */
    bodies: <T = unknown>(path: string) =>
      received.filter((r) => r.path === path).map((r) => JSON.parse(r.body) as T),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
