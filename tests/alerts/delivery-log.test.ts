import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alertDeliveries, deliveriesOfAlerts } from "@/lib/alerts/deliveries";
import { evaluateAlerts } from "@/lib/alerts/evaluate";
import { deleteRule } from "@/lib/alerts/rules";
import { AlertDelivery } from "@/lib/contract/alert-notices";
import { NotFound } from "@/lib/errors";
import { dispatchDue } from "@/lib/outbox/dispatcher";
import { testDbForSuite } from "../support/db";
import { ingest } from "../kpi/support";
import { FAST, sleep } from "../outbox/support";
import {
  CONTEXT,
  alertingKit,
  firstPassRule,
  postings,
  startReceiver,
  webhookChannel,
} from "./support";

/*
 * An alert's delivery log: each notice to each channel, every attempt with the receiver's
 * answer, the next attempt while one is due, and dead-lettering after the last.
 */

const t = testDbForSuite();
const { alertsOf } = alertingKit(t);
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const calls = new Map<string, number>();

beforeAll(async () => {
  // `/flaky` answers 503 to its first request and 200 after; `/down` always 500.
  receiver = await startReceiver((path) => {
    const n = (calls.get(path) ?? 0) + 1;
    calls.set(path, n);
    if (path === "/down") return 500;
    return path === "/flaky" && n === 1 ? 503 : 200;
  });
});
afterAll(() => receiver?.close());

/** Dispatches until nothing is due, waiting out FAST's backoff between rounds. */
async function drain() {
  for (let round = 0; round < 6; round++) {
    const { claimed } = await dispatchDue(t.db, FAST);
    if (claimed === 0 && round > 0) return;
    await sleep(120);
  }
}

describe("an alert's delivery log", () => {
  it("shows a failed then successful attempt, a dead letter, and the resolved notice", async () => {
    const flaky = await webhookChannel(t.db, `${receiver.url}/flaky`);
    const down = await webhookChannel(t.db, `${receiver.url}/down`);
    const rule = await firstPassRule(t.db, [flaky.channel.id, down.channel.id], {
      entity: "LOG",
    });
    await ingest(t.db, postings(2, "failed", new Date(), "LOG"));
    await evaluateAlerts(t.db);
    const [alert] = await alertsOf(rule.id);
    expect(alert!.state).toBe("firing");

    // Before any attempt: both notices wait, due now, with no attempt.
    const before = await alertDeliveries(t.db, alert!.id);
    expect(
      before.map((d) => [d.channel.name, d.transition, d.status, d.attempts.length]).sort(),
    ).toEqual(
      [
        [flaky.channel.name, "firing", "pending", 0],
        [down.channel.name, "firing", "pending", 0],
      ].sort(),
    );
    expect(before.every((d) => d.nextAttemptAt !== null)).toBe(true);

    // One round: both fail once and wait for their next attempt.
    await dispatchDue(t.db, FAST);
    const retrying = await alertDeliveries(t.db, alert!.id);
    const flakyFirst = retrying.find((d) => d.channel.id === flaky.channel.id)!;
    expect(flakyFirst).toMatchObject({ status: "pending", deadLettered: false });
    expect(flakyFirst.attempts).toEqual([
      expect.objectContaining({ attempt: 1, httpStatus: 503, ok: false }),
    ]);
    expect(flakyFirst.attempts[0]!.result).toMatch(/^HTTP 503/);
    expect(Date.parse(flakyFirst.nextAttemptAt!)).toBeGreaterThan(
      Date.parse(flakyFirst.attempts[0]!.at),
    );

    await drain();
    await ingest(t.db, postings(40, "succeeded", new Date(), "LOG"));
    await evaluateAlerts(t.db);
    await drain();

    const log = await alertDeliveries(t.db, alert!.id);
    for (const delivery of log) AlertDelivery.parse(delivery);
    const byChannel = (id: string) => log.filter((d) => d.channel.id === id);
    const [flakyFiring, flakyResolved] = byChannel(flaky.channel.id);
    expect(flakyFiring).toMatchObject({
      transition: "firing",
      status: "delivered",
      deadLettered: false,
      nextAttemptAt: null,
      alertsInMessage: 1,
    });
    expect(flakyFiring!.attempts.map((a) => [a.attempt, a.httpStatus, a.ok])).toEqual([
      [1, 503, false],
      [2, 200, true],
    ]);
    expect(flakyFiring!.deliveredAt).not.toBeNull();
    expect(flakyResolved).toMatchObject({ transition: "resolved", status: "delivered" });
    expect(flakyResolved!.attempts.map((a) => a.result)).toEqual(["HTTP 200"]);

    const [downFiring] = byChannel(down.channel.id);
    expect(downFiring).toMatchObject({ status: "dead", deadLettered: true, nextAttemptAt: null });
    // FAST allows three attempts: the last one's failure dead-letters the notice.
    expect(downFiring!.attempts.map((a) => [a.attempt, a.httpStatus])).toEqual([
      [1, 500],
      [2, 500],
      [3, 500],
    ]);
    expect(downFiring!.lastError).toMatch(/^HTTP 500/);

    // The page reads many alerts' logs at once; an alert with no notice has an empty one.
    const many = await deliveriesOfAlerts(t.db, [alert!.id, crypto.randomUUID()]);
    expect([...many.values()].map((l) => l.length)).toEqual([log.length, 0]);
    await deleteRule(t.db, rule.id, CONTEXT);
  });

  it("is NotFound for an alert that does not exist", async () => {
    await expect(alertDeliveries(t.db, crypto.randomUUID())).rejects.toBeInstanceOf(NotFound);
  });
});
