import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { alerts } from "@/db/schema";
import { evaluateAlerts } from "@/lib/alerts/evaluate";
import { kpiChange } from "@/lib/alerts/measure";
import { createRule, deleteRule } from "@/lib/alerts/rules";
import { AlertRuleInput } from "@/lib/contract/alert-rules";
import { testDbForSuite } from "../support/db";
import { MINUTE, ingest } from "../kpi/support";
import { CONTEXT, LAG_UP_HALF, postings } from "./support";

/*
 * kpi_change: ERP first-pass success over the last hour against the hour before it. Each
 * test uses entities of its own, so no window sees another test's postings.
 */

const t = testDbForSuite();
const D = Date.parse("2025-06-10T12:00:00Z");
/** Inside the previous window [D − 2 h, D − 1 h] and the current one [D − 1 h, D]. */
const PREVIOUS = new Date(D - 90 * MINUTE);
const CURRENT = new Date(D - 30 * MINUTE);

const stateOf = async (ruleId: string) =>
  (await t.db.select().from(alerts).where(eq(alerts.ruleId, ruleId))).map((a) => ({
    state: a.state,
    value: a.value,
    threshold: a.threshold,
  }));

function changeRule(entity: string, unit: "percent" | "points", op: string, value: number) {
  return createRule(
    t.db,
    {
      name: `${entity} first pass ${unit} ${op} ${value}`,
      condition: {
        kind: "kpi_change",
        metric: "erpPosting.firstPassSuccessRate",
        unit,
        op,
        value,
        window: "PT1H",
      },
      entity,
    },
    CONTEXT,
  );
}

describe("kpi_change", () => {
  it("works the change out in percent and in points", () => {
    // 1.0 → 0.25: −0.75 points, and −0.75 / 1.0 = −75 %.
    expect(kpiChange(0.25, 1, "points")).toBeCloseTo(-0.75, 12);
    expect(kpiChange(0.25, 1, "percent")).toBeCloseTo(-75, 12);
    // 200 ms → 300 ms: +100 ms, +50 %.
    expect(kpiChange(300, 200, "points")).toBe(100);
    expect(kpiChange(300, 200, "percent")).toBe(50);
    // Nothing to compare with, or nothing to divide by: null.
    expect(kpiChange(0.5, null, "points")).toBeNull();
    expect(kpiChange(null, 0.5, "percent")).toBeNull();
    expect(kpiChange(0.5, 0, "percent")).toBeNull();
    expect(kpiChange(0.5, 0, "points")).toBe(0.5);
  });

  it("fires on a fall against the previous window, in percent, not on one too small in points", async () => {
    // Previous hour: 4 of 4 first attempts succeeded (1.0). This hour: 1 of 4 (0.25).
    await ingest(
      t.db,
      postings(4, "succeeded", PREVIOUS, "CHG"),
      postings(3, "failed", CURRENT, "CHG"),
      postings(1, "succeeded", CURRENT, "CHG"),
    );
    // −75 % < −50 %: fires.
    const percent = await changeRule("CHG", "percent", "<", -50);
    // −0.75 points is not <= −0.8: holds.
    const points = await changeRule("CHG", "points", "<=", -0.8);
    await evaluateAlerts(t.db, new Date(D));
    expect(await stateOf(percent.id)).toEqual([{ state: "firing", value: -75, threshold: -50 }]);
    expect(await stateOf(points.id)).toEqual([]);
    await deleteRule(t.db, percent.id, CONTEXT);
    await deleteRule(t.db, points.id, CONTEXT);
  });

  it("never fires when the previous window has nothing, or is 0 for percent", async () => {
    // CHG-NEW: postings this hour only, all failed: no previous figure, so no change.
    await ingest(t.db, postings(2, "failed", CURRENT, "CHG-NEW"));
    // CHG-ZERO: 0 of 2 before, 2 of 2 now: +1 point, but no percent of 0.
    await ingest(
      t.db,
      postings(2, "failed", PREVIOUS, "CHG-ZERO"),
      postings(2, "succeeded", CURRENT, "CHG-ZERO"),
    );
    const noPrevious = await changeRule("CHG-NEW", "points", "<", 1);
    const zeroPercent = await changeRule("CHG-ZERO", "percent", ">", 0);
    const zeroPoints = await changeRule("CHG-ZERO", "points", ">=", 1);
    await evaluateAlerts(t.db, new Date(D));
    expect(await stateOf(noPrevious.id)).toEqual([]);
    expect(await stateOf(zeroPercent.id)).toEqual([]);
    expect(await stateOf(zeroPoints.id)).toEqual([{ state: "firing", value: 1, threshold: 1 }]);
    for (const rule of [noPrevious, zeroPercent, zeroPoints]) {
      await deleteRule(t.db, rule.id, CONTEXT);
    }
  });

  it("is refused without a unit, or per entity on a company-only figure", () => {
    const condition = LAG_UP_HALF;
    expect(AlertRuleInput.safeParse({ name: "ok", condition }).success).toBe(true);
    const { unit: _unit, ...withoutUnit } = condition;
    for (const bad of [
      { name: "no unit", condition: withoutUnit },
      { name: "ratio", condition: { ...condition, unit: "ratio" } },
      {
        name: "company only",
        condition: { ...condition, metric: "exceptions.open" },
        entity: "EU",
      },
    ]) {
      expect(AlertRuleInput.safeParse(bad).success, bad.name).toBe(false);
    }
  });
});
