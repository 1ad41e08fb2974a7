import { randomUUID } from "node:crypto";
import { desc, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { claimDueCommands } from "@/db/queries/outbox";
import { auditLog, outboxCommands } from "@/db/schema";
import { Conflict } from "@/lib/errors";
import { resendCommand } from "@/lib/outbox/commands";
import { DEFAULT_DISPATCHER_OPTIONS, dispatchDue } from "@/lib/outbox/dispatcher";
import { deactivateEndpoint } from "@/lib/outbox/endpoints";
import { enqueue } from "@/lib/outbox/enqueue";
import { verifyWebhook, webhookHeaders } from "@/lib/outbox/signature";
import { testDbForSuite } from "../support/db";
import {
  FAST,
  SYSTEM_TEST_ACTOR,
  deliveriesOf,
  makeEndpoint,
  sleep,
  startReceiver,
  startRegisteredReceiver,
  type TestReceiver,
} from "./support";

/*
 * The dispatcher against a real HTTP receiver: signed delivery, backoff on 500 and on a
 * receiver that hangs, dead-letter after the last attempt, re-send, no second delivery after
 * a 2xx, and a claim abandoned by a crashed dispatcher picked up after its lease.
 */

const t = testDbForSuite();
let receiver: TestReceiver;
let secret: string;
let endpointId: string;

beforeAll(async () => {
  ({ receiver, secret, endpointId } = await startRegisteredReceiver(t.db));
});

afterAll(async () => {
  await receiver?.close();
});

beforeEach(() => {
  receiver.deliveries.length = 0;
  receiver.acknowledged.clear();
  receiver.respond = "ok";
});

async function newCommand(payload: Record<string, unknown> = { postingId: `PST-${randomUUID()}` }) {
  const { command } = await enqueue(t.db, {
    kind: "erp.posting.retry",
    payload,
    idempotencyKey: `test:${randomUUID()}`,
  });
  return command;
}

async function command(id: string) {
  const [row] = await t.db.select().from(outboxCommands).where(eq(outboxCommands.id, id));
  return row!;
}

const log = (id: string) => deliveriesOf(t.db, id);

/** Runs dispatcher rounds until the command leaves pending/delivering or the time is up. */
async function driveToEnd(id: string, options = FAST, withinMs = 5_000) {
  const deadline = Date.now() + withinMs;
  for (;;) {
    await dispatchDue(t.db, options);
    const row = await command(id);
    if (row.status === "delivered" || row.status === "dead") return row;
    if (Date.now() > deadline) throw new Error(`command still ${row.status} after ${withinMs} ms`);
    await sleep(20);
  }
}

describe("signing", () => {
  it("produces signatures the Standard Webhooks reference library accepts, and verifies its own", () => {
    const headers = webhookHeaders(secret, "msg_1", '{"a":1}');
    expect(headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(verifyWebhook(secret, headers, '{"a":1}')).toMatchObject({ id: "msg_1" });
    expect(() => verifyWebhook(secret, headers, '{"a":2}')).toThrow(/signature/);
    const stale = webhookHeaders(secret, "msg_1", "{}", new Date(Date.now() - 10 * 60_000));
    expect(() => verifyWebhook(secret, stale, "{}")).toThrow(/timestamp/);
  });
});

describe("delivery", () => {
  it("POSTs the command signed, with its id as webhook-id, and records it delivered after the 2xx", async () => {
    const c = await newCommand({ postingId: "PST-1", followsAttempt: 1 });
    const summary = await dispatchDue(t.db, FAST);
    expect(summary).toMatchObject({ claimed: 1, delivered: 1 });
    expect(receiver.deliveries).toHaveLength(1);
    const [d] = receiver.deliveries;
    expect(d!.signatureValid).toBe(true);
    expect(d!.id).toBe(c.id);
    expect(Math.abs(Number(d!.timestamp) - Date.now() / 1000)).toBeLessThan(5);
    expect(d!.body).toEqual({
      type: "erp.posting.retry",
      id: c.id,
      data: { postingId: "PST-1", followsAttempt: 1 },
    });
    const row = await command(c.id);
    expect(row).toMatchObject({
      status: "delivered",
      attempts: 1,
      leaseUntil: null,
      lastError: null,
    });
    expect(row.deliveredAt).toBeInstanceOf(Date);
    expect(await log(c.id)).toMatchObject([{ attempt: 1, httpStatus: 200, error: null }]);
  });

  it("never delivers again what a receiver acknowledged, however often the dispatcher runs", async () => {
    const commands = await Promise.all([1, 2, 3, 4, 5].map(() => newCommand()));
    for (let i = 0; i < 5; i++) await dispatchDue(t.db, FAST);
    for (const c of commands) expect(receiver.acknowledged.get(c.id)).toBe(1);
    expect(receiver.deliveries).toHaveLength(5);
  });
});

describe("retries", () => {
  it("backs off after a 500 and delivers once the receiver recovers", async () => {
    const schedule = { ...FAST, backoffMs: [400, 80] };
    receiver.respond = (_d, nth) => (nth <= 2 ? "fail" : "ok");
    const c = await newCommand();

    expect(await dispatchDue(t.db, schedule)).toMatchObject({ claimed: 1, retrying: 1 });
    let row = await command(c.id);
    expect(row).toMatchObject({
      status: "pending",
      attempts: 1,
      lastError: "HTTP 500: receiver failed",
    });
    const [first] = await log(c.id);
    const wait = row.nextAttemptAt.getTime() - first!.at.getTime();
    expect(wait).toBeGreaterThan(300);
    expect(wait).toBeLessThan(500);
    // Not due again before its backoff has passed.
    expect((await dispatchDue(t.db, schedule)).claimed).toBe(0);

    row = await driveToEnd(c.id, schedule);
    expect(row).toMatchObject({ status: "delivered", attempts: 3 });
    const attempts = await log(c.id);
    expect(attempts.map((a) => [a.attempt, a.httpStatus])).toEqual([
      [1, 500],
      [2, 500],
      [3, 200],
    ]);
    // The receiver saw the gaps of the schedule, and one webhook-id throughout.
    const times = receiver.deliveries.map((d) => d.at);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(390);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(75);
    expect(new Set(receiver.deliveries.map((d) => d.id))).toEqual(new Set([c.id]));
  });

  it("by default waits 30 s, 2 min, 10 min, 1 h and 6 h (±20 %) between attempts, then gives up", async () => {
    expect(DEFAULT_DISPATCHER_OPTIONS.backoffMs).toEqual([
      30_000, 120_000, 600_000, 3_600_000, 21_600_000,
    ]);
    expect(DEFAULT_DISPATCHER_OPTIONS.timeoutMs).toBe(10_000);
    expect(DEFAULT_DISPATCHER_OPTIONS.leaseMs).toBeGreaterThan(
      DEFAULT_DISPATCHER_OPTIONS.timeoutMs,
    );
    for (let i = 0; i < 200; i++) {
      const delay = DEFAULT_DISPATCHER_OPTIONS.jitter(60_000);
      expect(delay).toBeGreaterThanOrEqual(48_000);
      expect(delay).toBeLessThanOrEqual(72_000);
    }
    receiver.respond = "fail";
    const c = await newCommand();
    await dispatchDue(t.db, { timeoutMs: 3_000, leaseMs: 5_000 });
    const row = await command(c.id);
    const [first] = await log(c.id);
    const wait = row.nextAttemptAt.getTime() - first!.at.getTime();
    expect(wait).toBeGreaterThanOrEqual(23_000);
    expect(wait).toBeLessThanOrEqual(37_000);
    // Leave nothing pending for the next tests.
    await t.db.execute(sql`update outbox_commands set status = 'dead' where id = ${c.id}`);
  });

  it("counts a receiver that hangs past the timeout as a failed attempt and retries", async () => {
    receiver.respond = (_d, nth) => (nth === 1 ? "hang" : "ok");
    const impatient = { ...FAST, timeoutMs: 400, leaseMs: 1_000 };
    const c = await newCommand();
    const started = Date.now();
    expect(await dispatchDue(t.db, impatient)).toMatchObject({ retrying: 1 });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect((await command(c.id)).lastError).toBe("timeout: no answer within 0.4 s");
    const row = await driveToEnd(c.id);
    expect(row.status).toBe("delivered");
    expect((await log(c.id)).map((a) => a.httpStatus)).toEqual([null, 200]);
  });

  it("retries when the receiver is unreachable", async () => {
    const c = await newCommand();
    await t.db.execute(
      sql`update webhook_endpoints set url = 'http://127.0.0.1:9/closed' where id = ${endpointId}`,
    );
    try {
      expect(await dispatchDue(t.db, FAST)).toMatchObject({ retrying: 1 });
      expect((await command(c.id)).lastError).toMatch(/fetch failed|ECONNREFUSED/);
    } finally {
      await t.db.execute(
        sql`update webhook_endpoints set url = ${receiver.url} where id = ${endpointId}`,
      );
    }
    expect((await driveToEnd(c.id)).status).toBe("delivered");
  });

  it("dead-letters after the last attempt and stops trying", async () => {
    receiver.respond = "fail";
    const c = await newCommand();
    const row = await driveToEnd(c.id);
    expect(row).toMatchObject({
      status: "dead",
      attempts: 3,
      lastError: "HTTP 500: receiver failed",
    });
    expect(receiver.deliveries).toHaveLength(3);
    await sleep(150);
    expect((await dispatchDue(t.db, FAST)).claimed).toBe(0);
    expect(receiver.deliveries).toHaveLength(3);
  });

  it("re-sends a dead command on an operator's request, audited, with the same webhook-id", async () => {
    receiver.respond = "fail";
    const c = await newCommand();
    await driveToEnd(c.id);
    receiver.respond = "ok";

    await resendCommand(t.db, c.id, { actor: SYSTEM_TEST_ACTOR });
    expect(await command(c.id)).toMatchObject({ status: "pending", attempts: 0 });
    const row = await driveToEnd(c.id);
    expect(row).toMatchObject({ status: "delivered", attempts: 1 });
    expect(receiver.deliveries.map((d) => d.id)).toEqual([c.id, c.id, c.id, c.id]);
    expect(receiver.acknowledged.get(c.id)).toBe(1);

    const [audit] = await t.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, "outbox.command_resent"))
      .orderBy(desc(auditLog.id))
      .limit(1);
    expect(audit).toMatchObject({ targetId: c.id, before: { status: "dead", attempts: 3 } });

    // Only a dead command can be re-sent.
    await expect(resendCommand(t.db, c.id, { actor: SYSTEM_TEST_ACTOR })).rejects.toBeInstanceOf(
      Conflict,
    );
  });
});

describe("crashes", () => {
  it("delivers a command whose dispatcher died after claiming it, once the lease lapses", async () => {
    const c = await newCommand();
    // A dispatcher claims it and dies before posting or recording anything.
    const claimed = await claimDueCommands(t.db, { limit: 10, leaseMs: 300 });
    expect(claimed.map((x) => x.id)).toEqual([c.id]);
    expect(await command(c.id)).toMatchObject({ status: "delivering", attempts: 1 });

    // While the claim holds, nobody else takes it.
    expect((await dispatchDue(t.db, FAST)).claimed).toBe(0);
    expect(receiver.deliveries).toHaveLength(0);

    await sleep(350);
    expect(await dispatchDue(t.db, FAST)).toMatchObject({ claimed: 1, delivered: 1 });
    expect(receiver.acknowledged.get(c.id)).toBe(1);
    expect(await command(c.id)).toMatchObject({ status: "delivered", attempts: 2 });
    const attempts = await log(c.id);
    expect(attempts.map((a) => [a.attempt, a.httpStatus])).toEqual([
      [1, null],
      [2, 200],
    ]);
    expect(attempts[0]!.error).toMatch(/abandoned/);
  });

  it("lets a dispatcher that lost its claim record a 2xx, but not overwrite a newer attempt's failure", async () => {
    const c = await newCommand();
    await claimDueCommands(t.db, { limit: 10, leaseMs: 1 });
    await sleep(20);
    // A second dispatcher takes the lapsed claim (attempt 2) while the first still runs.
    receiver.respond = "fail";
    expect(await dispatchDue(t.db, FAST)).toMatchObject({ claimed: 1, retrying: 1 });
    const { recordFailed, recordDelivered } = await import("@/db/queries/outbox");
    // The first dispatcher's late failure of attempt 1 changes nothing …
    await recordFailed(t.db, c.id, 1, { httpStatus: 502, error: null, durationMs: 5 }, "dead");
    expect(await command(c.id)).toMatchObject({ status: "pending", attempts: 2 });
    // … but its late 2xx is the truth: the receiver has the command.
    await recordDelivered(t.db, c.id, 1, { httpStatus: 200, error: null, durationMs: 5 });
    expect((await command(c.id)).status).toBe("delivered");
    await sleep(60);
    expect((await dispatchDue(t.db, FAST)).claimed).toBe(0);
  });
});

describe("endpoints", () => {
  it("dead-letters commands of a deactivated endpoint and re-sends them to its replacement", async () => {
    const c = await newCommand();
    await deactivateEndpoint(t.db, endpointId, { actor: SYSTEM_TEST_ACTOR });
    expect(await dispatchDue(t.db, FAST)).toMatchObject({ dead: 1 });
    expect(await command(c.id)).toMatchObject({
      status: "dead",
      lastError: "endpoint deactivated",
    });
    expect(receiver.deliveries).toHaveLength(0);

    const replacement = await startReceiver();
    try {
      const next = await makeEndpoint(t.db, replacement.url);
      replacement.secret = next.secret;
      await resendCommand(t.db, c.id, { actor: SYSTEM_TEST_ACTOR });
      expect((await command(c.id)).endpointId).toBe(next.endpoint.id);
      expect((await driveToEnd(c.id)).status).toBe("delivered");
      expect(replacement.deliveries.map((d) => [d.id, d.signatureValid])).toEqual([[c.id, true]]);
    } finally {
      await replacement.close();
    }
  });
});
