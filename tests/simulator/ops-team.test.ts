import { describe, expect, it } from "vitest";
import { EXCEPTION_TYPES } from "@/db/schema";
import { afterWorking, atWork, planFor, type OpsPlan } from "@/lib/simulator/ops-team";

/*
 * The demo operations team's habits, from its plans alone: the same plan for the same seed
 * and problem, work only in working hours, most exceptions closed well inside the 72-hour
 * SLA, and only a few left to age.
 */

const HOUR = 3_600_000;
const SLA_MS = 72 * HOUR;
const START = Date.parse("2026-09-01T00:00:00Z");

/** A few thousand exceptions of every type, opened at all hours over two months. */
const plans: { openedAt: number; plan: OpsPlan }[] = [];
for (let i = 0; i < 3500; i++) {
  const type = EXCEPTION_TYPES[i % EXCEPTION_TYPES.length]!;
  const openedAt = START + ((i * 7_919 * 60_000) % (61 * 24 * HOUR));
  const reconciliationKind = ["payments_vs_ar", "usage_vs_billing", "billing_vs_erp"][i % 3];
  plans.push({
    openedAt,
    plan: planFor(42, { type, problemKey: `key-${i}`, openedAt, reconciliationKind }),
  });
}

const utcHour = (t: number) => new Date(t).getUTCHours();
const weekend = (t: number) => [0, 6].includes(new Date(t).getUTCDay());
const atWorkHours = (t: number) =>
  weekend(t) ? utcHour(t) >= 10 && utcHour(t) < 18 : utcHour(t) >= 7;

describe("the demo operations team's plans", () => {
  it("are the same for the same seed and problem, and differ for another seed", () => {
    const facts = { type: "erp_posting_failed" as const, problemKey: "PST-US-1", openedAt: START };
    expect(planFor(42, facts)).toEqual(planFor(42, facts));
    const others = [1, 2, 3, 4, 5].map((seed) => planFor(seed, facts).startAt);
    expect(new Set(others).size).toBeGreaterThan(1);
  });

  it("act only in working hours, after the exception opened and in order", () => {
    for (const { openedAt, plan } of plans) {
      expect(plan.startAt).toBeGreaterThan(openedAt);
      expect(plan.closeAt).toBeGreaterThan(plan.startAt);
      expect(atWorkHours(plan.startAt)).toBe(true);
      expect(atWorkHours(plan.closeAt)).toBe(true);
    }
  });

  it("close nearly every exception within the SLA; the few that wait on others age past it", () => {
    const late = plans.filter((p) => p.plan.closeAt - p.openedAt > SLA_MS);
    expect(late.length).toBeGreaterThan(0);
    expect(late.length / plans.length).toBeLessThan(0.05);
    for (const p of late) expect(p.plan.waitsOn).not.toBeNull();
    // Mostly within a working day or so.
    const ages = plans.map((p) => p.plan.closeAt - p.openedAt).sort((a, b) => a - b);
    expect(ages[Math.floor(ages.length / 2)]).toBeLessThan(24 * HOUR);
  });

  it("give money-changing answers to breaks and disputes through corrections", () => {
    const corrected = plans.filter((p) => p.plan.closing.action === "correct");
    expect(corrected.length).toBeGreaterThan(0);
    for (const { plan } of corrected) expect(plan.approvalDelayMs).toBeGreaterThan(0);
  });
});

describe("working time", () => {
  it("moves a night or a weekend to the next opening hour", () => {
    // Tuesday 02:00 UTC → 07:00; Saturday 20:00 → Sunday 10:00 (on call).
    expect(new Date(atWork(Date.parse("2026-12-01T02:00:00Z"))).toISOString()).toBe(
      "2026-12-01T07:00:00.000Z",
    );
    expect(new Date(atWork(Date.parse("2026-12-05T20:00:00Z"))).toISOString()).toBe(
      "2026-12-06T10:00:00.000Z",
    );
    const midday = Date.parse("2026-12-02T12:34:00Z");
    expect(atWork(midday)).toBe(midday);
  });

  it("carries work left at closing time over to the next opening", () => {
    // Sunday 17:00 + 3 h of work: 1 h on Sunday, 2 h from Monday 07:00.
    expect(new Date(afterWorking(Date.parse("2026-12-06T17:00:00Z"), 3 * HOUR)).toISOString()).toBe(
      "2026-12-07T09:00:00.000Z",
    );
  });
});
