import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateAlerts } from "@/lib/alerts/evaluate";
import { startAlertEvaluator, type AlertLoop } from "@/lib/alerts/loop";
import { dispatchDue, startOutboxDispatcher } from "@/lib/outbox/dispatcher";
import { openDb } from "@/db/client";
import { TEST_ENGINE, testDbForSuite } from "../support/db";
import { ingest } from "../kpi/support";
import { FAST, startReceiver, type TestReceiver } from "../outbox/support";
import { deleteRule } from "@/lib/alerts/rules";
import { CONTEXT, firstPassRule, postings, webhookChannel } from "./support";

/*
 * The promise alerting makes, end to end through the running loops: a KPI rule fires within
 * 90 s of the telemetry that breaks it and resolves within 90 s of the telemetry that mends
 * it, with exactly one firing and one resolved message at the receiver, each signed so the
 * Standard Webhooks reference library verifies it. The evaluator runs on its production
 * schedule (every minute, and debounced after each ingested batch); the test waits for what
 * it expects to happen, never for a fixed time.
 */

const t = testDbForSuite();
let receiver: TestReceiver;
let evaluator: AlertLoop;
let stopDispatcher: () => Promise<void>;

const LIMIT_MS = 90_000;

beforeAll(async () => {
  receiver = await startReceiver();
});

afterAll(async () => {
  await evaluator?.stop();
  await stopDispatcher?.();
  await receiver?.close();
});

type Notice = { type: string; alert: Record<string, unknown> };
const notices = () => receiver.deliveries.map((d) => d.body as unknown as Notice);

async function until(what: string, condition: () => boolean, sinceMs: number): Promise<number> {
  while (!condition()) {
    if (Date.now() - sinceMs > LIMIT_MS) throw new Error(`${what} not within 90 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return Date.now() - sinceMs;
}

describe("a KPI rule, through the running evaluator and outbox", () => {
  it("fires within 90 s of the breaking telemetry and resolves within 90 s of the mending one, once each, signed", async () => {
    const { channel, secret } = await webhookChannel(t.db, receiver.url);
    receiver.secret = secret!;
    const rule = await firstPassRule(t.db, [channel.id]);
    // Healthy to start with: every posting passed first time.
    await ingest(t.db, postings(10, "succeeded", new Date()));

    evaluator = startAlertEvaluator(t.db, { baseUrl: "https://closeline.test" });
    stopDispatcher = startOutboxDispatcher(t.db, { ...FAST, pollMs: 100 });

    const breaking = Date.now();
    await ingest(t.db, postings(10, "failed", new Date())); // 10 of 20: 50 %
    const firedAfter = await until("firing", () => notices().length >= 1, breaking);
    expect(firedAfter).toBeLessThan(LIMIT_MS);

    const mending = Date.now();
    await ingest(t.db, postings(90, "succeeded", new Date())); // 100 of 110: 91 %
    const resolvedAfter = await until("resolved", () => notices().length >= 2, mending);
    expect(resolvedAfter).toBeLessThan(LIMIT_MS);

    // Another round of evaluation and delivery changes nothing: one message per transition.
    await evaluator.stop();
    await stopDispatcher();
    expect(await evaluateAlerts(t.db, new Date())).toMatchObject({ fired: 0, resolved: 0 });
    expect((await dispatchDue(t.db, FAST)).claimed).toBe(0);

    expect(notices().map((n) => n.type)).toEqual(["alert.firing", "alert.resolved"]);
    expect(receiver.deliveries.every((d) => d.signatureValid)).toBe(true);
    const [firing, resolved] = notices();
    expect(firing!.alert).toMatchObject({
      ruleId: rule.id,
      ruleName: rule.name,
      severity: "critical",
      entity: null,
      value: 0.5,
      threshold: 0.9,
      resolvedAt: null,
    });
    expect(firing!.alert.url).toBe(`https://closeline.test/alerts#alert-${firing!.alert.id}`);
    expect(resolved!.alert.id).toBe(firing!.alert.id);
    expect(resolved!.alert.value).toBeCloseTo(100 / 110, 6);
    expect(resolved!.alert.startedAt).toBe(firing!.alert.startedAt);
    expect(typeof resolved!.alert.resolvedAt).toBe("string");
    await deleteRule(t.db, rule.id, CONTEXT);
  }, 200_000);
});

/*
 * Two app instances: two connection pools to one PostgreSQL database, each running its own
 * evaluator (every 200 ms, so they keep colliding) and its own dispatcher. Still one message
 * per transition. PGlite admits one process, so this is PostgreSQL's alone.
 */
describe.runIf(TEST_ENGINE === "postgres")("two instances", () => {
  it("send one firing and one resolved message between them", async () => {
    const second = await openDb({ kind: "postgres", url: t.url! });
    const twoReceiver = await startReceiver();
    const stops: (() => Promise<void>)[] = [];
    try {
      const { channel, secret } = await webhookChannel(t.db, twoReceiver.url);
      twoReceiver.secret = secret!;
      await firstPassRule(t.db, [channel.id], { entity: "TWO" });
      for (const db of [t.db, second.db]) {
        const loop = startAlertEvaluator(db, { intervalMs: 200, debounceMs: 10 });
        stops.push(() => loop.stop(), startOutboxDispatcher(db, { ...FAST, pollMs: 50 }));
      }
      const seen = () => twoReceiver.deliveries.map((d) => (d.body as unknown as Notice).type);
      const since = Date.now();
      await ingest(t.db, postings(3, "failed", new Date(), "TWO"));
      await until("firing", () => seen().length >= 1, since);
      await ingest(second.db, postings(60, "succeeded", new Date(), "TWO"));
      await until("resolved", () => seen().length >= 2, Date.now());
      // Let both instances run several more rounds: nothing further may arrive.
      const rounds = Date.now();
      await until("more rounds", () => Date.now() - rounds > 1_500, rounds);
      for (const stop of stops) await stop();
      expect(seen()).toEqual(["alert.firing", "alert.resolved"]);
      expect(twoReceiver.deliveries.every((d) => d.signatureValid)).toBe(true);
    } finally {
      for (const stop of stops) await stop();
      await twoReceiver.close();
      await second.close();
    }
  }, 200_000);
});
