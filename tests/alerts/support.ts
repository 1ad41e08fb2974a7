import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import { afterEach } from "vitest";
import type { Db } from "@/db/client";
import { alertChannels, alerts, outboxCommands } from "@/db/schema";
import type { AuditActor } from "@/lib/audit";
import { createChannel } from "@/lib/alerts/channels";
import { createRule, deleteRule } from "@/lib/alerts/rules";
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

/** The condition "the p95 event lag rose by more than 50 % against the day before". */
export const LAG_UP_HALF = {
  kind: "kpi_change",
  metric: "eventLag.p95Ms",
  unit: "percent",
  op: ">",
  value: 50,
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

/** A channel's secret as stored: sealed (never the credential itself), or null for none. */
export async function storedSecret(db: Db, channelId: string) {
  const [row] = await db
    .select({ secret: alertChannels.secret })
    .from(alertChannels)
    .where(eq(alertChannels.id, channelId));
  return row!.secret;
}

/** A rule's alerts in dimension order, each as what it measured and where it stands. */
export async function alertStatesOf(db: Db, ruleId: string) {
  return (await db.select().from(alerts).where(eq(alerts.ruleId, ruleId)))
    .map((a) => ({ dimension: a.dimension, state: a.state, value: a.value }))
    .sort((a, b) => a.dimension.localeCompare(b.dimension));
}

/** `iso` moved by `plusMs`: the lifecycle tests' instants, each test on a day of its own. */
export const at = (iso: string, plusMs = 0) => new Date(Date.parse(iso) + plusMs);

/** Every outbox command addressed to an alert channel, whole. */
export function commandsToChannel(db: Db, channelId: string) {
  return db.select().from(outboxCommands).where(eq(outboxCommands.alertChannelId, channelId));
}

/**
 * What the lifecycle tests read back: a channel's notices, a rule's alerts, and their set-up.
 * It takes the suite's database holder, opened only once the tests run.
 */
export function alertingKit(t: { readonly db: Db }) {
  // Every evaluation evaluates every rule: a rule made here is deleted after its test, so it
  // never fires in the tests that follow.
  const rulesMade: string[] = [];
  afterEach(async () => {
    for (const id of rulesMade.splice(0)) await deleteRule(t.db, id, CONTEXT);
  });
  return {
    /** The notices queued for a channel, oldest first, with when each is next attempted. */
    noticesTo: (channelId: string) =>
      t.db
        .select({
          kind: outboxCommands.kind,
          payload: outboxCommands.payload,
          nextAttemptAt: outboxCommands.nextAttemptAt,
        })
        .from(outboxCommands)
        .where(eq(outboxCommands.alertChannelId, channelId))
        .orderBy(outboxCommands.createdAt, outboxCommands.nextAttemptAt, outboxCommands.kind),
    /** A rule's alerts, in the order they became pending, then by dimension. */
    alertsOf: (ruleId: string) =>
      t.db
        .select()
        .from(alerts)
        .where(eq(alerts.ruleId, ruleId))
        .orderBy(alerts.pendingSince, alerts.dimension),
    /**
     * A first-pass rule (`extra` overriding its fields) whose one channel nobody listens on,
     * deleted after the test.
     */
    async ruleWithChannel(extra: Record<string, unknown> = {}) {
      const { channel } = await webhookChannel(t.db, "http://127.0.0.1:9/unused");
      const rule = await firstPassRule(t.db, [channel.id], extra);
      rulesMade.push(rule.id);
      return { channel, rule };
    },
    /**
     * A rule the admin makes from a name and a condition, every other field at its default:
     * `entity` one entity, "*" for one alert per entity, null (the default) for the whole
     * company. Deleted after the test.
     */
    async conditionRule(
      name: string,
      condition: Record<string, unknown>,
      entity: string | null = null,
    ) {
      const rule = await createRule(t.db, { name, condition, entity }, CONTEXT);
      rulesMade.push(rule.id);
      return rule;
    },
  };
}

export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * A local HTTP receiver standing in for Slack, Teams or PagerDuty: it records every request
 * and answers 202 (what Teams workflows and PagerDuty answer), or the status `statusFor`
 * gives the path, with `{}` or the body `answer` gives the request.
 */
export async function startReceiver(
  statusFor: (path: string) => number = () => 202,
  answer: (request: Received) => string = () => "{}",
) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = req.url ?? "";
      const request = { path, headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      received.push(request);
      res.writeHead(statusFor(path)).end(answer(request));
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
