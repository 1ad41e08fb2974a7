import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { alertRules, alerts } from "@/db/schema";
import { buildNotice, evaluateAlerts } from "@/lib/alerts/evaluate";
import { noticeSummary } from "@/lib/alerts/render";
import { createRule, deleteRule } from "@/lib/alerts/rules";
import { AlertRuleInput } from "@/lib/contract/alert-rules";
import { InvalidInput } from "@/lib/errors";
import { QUIET_LOOKBACK_DAYS } from "@/lib/ingest/health";
import { testDbForSuite } from "../support/db";
import { HOUR, MINUTE, attempt, ingest, setReceivedAt, type FixtureEvent } from "../kpi/support";
import { CONTEXT, alertingKit, postings } from "./support";

/*
 * The silence and exception conditions, and what the contract refuses. Silence is judged per
 * source × type, so one quiet source among fifty live ones fires, alone; with "learned" it
 * uses the allowance ingestion health learns from the pair's own history.
 */

const t = testDbForSuite();
const { conditionRule } = alertingKit(t);

const firingOf = async (ruleId: string) =>
  (await t.db.select().from(alerts).where(eq(alerts.ruleId, ruleId)))
    .filter((a) => a.state === "firing")
    .map((a) => a.dimension)
    .sort();

function sent(source: string): FixtureEvent {
  return attempt(
    {
      postingId: `P-${randomUUID()}`,
      invoiceId: `INV-${randomUUID()}`,
      entity: "EU",
      attempt: 1,
      status: "succeeded",
      attemptedAt: new Date().toISOString(),
    },
    { source },
  );
}

describe("silence", () => {
  it("fires for the one silent source among fifty live ones, and resolves when it sends again", async () => {
    const now = Date.now();
    const live = Array.from({ length: 50 }, (_, i) => sent(`/silence/live-${i}`));
    const quiet = sent("/silence/quiet");
    await ingest(t.db, [...live, quiet]);
    await setReceivedAt(t.db, quiet, new Date(now - 2 * HOUR).toISOString());
    const rule = await conditionRule("A source went quiet", {
      kind: "silence",
      source: null,
      type: null,
      after: "PT1H",
    });
    await evaluateAlerts(t.db, new Date(now));
    expect(await firingOf(rule.id)).toEqual(["/silence/quiet / erp.posting.attempted"]);

    await ingest(t.db, [sent("/silence/quiet")]);
    await evaluateAlerts(t.db, new Date());
    expect(await firingOf(rule.id)).toEqual([]);
  });

  it("with a learned cadence, flags a pair quiet for longer than its history allows", async () => {
    const now = Date.now();
    // Hourly senders; one stopped ten hours ago (allowance: three usual gaps), one is on time.
    for (const [source, lastAgoMs] of [
      ["/learned/stopped", 10 * HOUR],
      ["/learned/steady", 30 * MINUTE],
    ] as const) {
      for (let i = 0; i < 8; i++) {
        const e = sent(source);
        await ingest(t.db, [e]);
        await setReceivedAt(t.db, e, new Date(now - lastAgoMs - i * HOUR).toISOString());
      }
    }
    const rule = await conditionRule("Learned silence", {
      kind: "silence",
      after: "learned",
    });
    await evaluateAlerts(t.db, new Date(now));
    const firing = await firingOf(rule.id);
    expect(firing).toContain("/learned/stopped / erp.posting.attempted");
    expect(firing).not.toContain("/learned/steady / erp.posting.attempted");
    const [alert] = await t.db.select().from(alerts).where(eq(alerts.ruleId, rule.id));
    expect(alert!.threshold).toBe(3 * HOUR);
  });

  it("with a learned cadence, holds a pair quiet past the whole lookback against the lookback, in words", async () => {
    const now = Date.now();
    const gone = sent("/learned/gone");
    await ingest(t.db, [gone]);
    await setReceivedAt(t.db, gone, new Date(now - 41 * 24 * HOUR).toISOString());
    const rule = await createRule(
      t.db,
      {
        name: "Gone quiet",
        condition: { kind: "silence", source: "/learned/gone", after: "learned" },
      },
      CONTEXT,
    );
    await evaluateAlerts(t.db, new Date(now));
    const [alert] = await t.db.select().from(alerts).where(eq(alerts.ruleId, rule.id));
    expect(alert!.state).toBe("firing");
    // Not "no data": the line the pair crossed is the lookback itself.
    expect(alert!.threshold).toBe(QUIET_LOOKBACK_DAYS * 24 * HOUR);
    const [row] = await t.db.select().from(alertRules).where(eq(alertRules.id, rule.id));
    const notice = buildNotice("alert.firing", row!, alert!, {
      baseUrl: "http://closeline.test",
      acknowledgedBy: null,
      reportingCurrency: "USD",
    });
    expect(notice.alert.thresholdText).toBe("the whole 35-day lookback");
    expect(noticeSummary(notice)).toContain(
      "41 d against a threshold of the whole 35-day lookback",
    );
    await deleteRule(t.db, rule.id, CONTEXT);
  });
});

describe("open exceptions", () => {
  it("fires when open exceptions of a type reach N, per entity", async () => {
    const rule = await conditionRule(
      "Postings failing",
      { kind: "exceptions", type: "erp_posting_failed", atLeast: 2 },
      "*",
    );
    await ingest(t.db, postings(1, "failed", new Date(), "FR"));
    await evaluateAlerts(t.db);
    expect(await firingOf(rule.id)).toEqual([]);
    await ingest(
      t.db,
      postings(1, "failed", new Date(), "FR"),
      postings(1, "failed", new Date(), "DE"),
    );
    await evaluateAlerts(t.db);
    expect(await firingOf(rule.id)).toEqual(["FR"]);
  });
});

describe("the rule contract", () => {
  it("refuses what it cannot evaluate", async () => {
    const base = {
      name: "x",
      condition: { kind: "kpi", metric: "eventLag.p95Ms", op: ">", value: 1, window: "P1D" },
    };
    expect(AlertRuleInput.safeParse(base).success).toBe(true);
    for (const bad of [
      { ...base, condition: { ...base.condition, metric: "eventLag.nope" } },
      { ...base, condition: { ...base.condition, window: "P1M" } }, // months vary in length
      { ...base, condition: { ...base.condition, window: "PT10S" } },
      { ...base, condition: { ...base.condition, op: "==" } },
      { ...base, for: "10 minutes" },
      { ...base, condition: { ...base.condition, metric: "exceptions.open" }, entity: "EU" },
      { name: "s", condition: { kind: "silence" }, entity: "EU" },
      { name: "e", condition: { kind: "exceptions", type: "erp_posting_failed", atLeast: 0 } },
    ]) {
      expect(AlertRuleInput.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
    await expect(
      createRule(t.db, { ...base, channelIds: [randomUUID()] }, CONTEXT),
    ).rejects.toThrow(InvalidInput);
  });
});
