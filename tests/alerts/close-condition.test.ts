import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { alerts } from "@/db/schema";
import { evaluateAlerts } from "@/lib/alerts/evaluate";
import {
  closeDeadline,
  closeDeadlinesFromForm,
  loadCloseDeadlines,
  saveCloseDeadlines,
} from "@/lib/close/deadline";
import { periodFromKey } from "@/lib/close/period";
import { InvalidInput } from "@/lib/errors";
import { testDbForSuite } from "../support/db";
import { ADMIN_ACTOR, alertingKit } from "./support";

/*
 * The close condition and the per-entity close deadline it reads. Deadlines are hand-worked
 * from the calendar: May 2025 ends on Sunday 1 June; its business days after month end are
 * Mon 2, Tue 3, Wed 4, Thu 5, Fri 6 June.
 */

const t = testDbForSuite();
const iso = (d: Date) => d.toISOString();

describe("close deadlines", () => {
  it("counts business days after month end, or days of the next month, to the end of that day", () => {
    const may = periodFromKey("2025-05");
    // Business day 5 is Friday 6 June: due by its end, 7 June 00:00 UTC.
    expect(iso(closeDeadline(may, { kind: "business_day", day: 5 }))).toBe(
      "2025-06-07T00:00:00.000Z",
    );
    // Business day 6 skips the weekend of 7–8 June: Monday 9 June.
    expect(iso(closeDeadline(may, { kind: "business_day", day: 6 }))).toBe(
      "2025-06-10T00:00:00.000Z",
    );
    // Day 10 of the next month: 10 June, due by 11 June 00:00.
    expect(iso(closeDeadline(may, { kind: "calendar_day", day: 10 }))).toBe(
      "2025-06-11T00:00:00.000Z",
    );
    // February 2025 ends on Saturday 1 March: business day 1 is Monday 3 March.
    expect(iso(closeDeadline(periodFromKey("2025-02"), { kind: "business_day", day: 1 }))).toBe(
      "2025-03-04T00:00:00.000Z",
    );
  });

  it("stores a default and per-entity rules, audited, and refuses a day past 28", async () => {
    expect((await loadCloseDeadlines(t.db)).default).toEqual({ kind: "business_day", day: 5 });
    await expect(
      saveCloseDeadlines(t.db, { default: { kind: "calendar_day", day: 29 } }, ADMIN_ACTOR),
    ).rejects.toThrow(InvalidInput);
    const form = closeDeadlinesFromForm([
      ["kind.", "business_day"],
      ["day.", "3"],
      ["kind.US", "calendar_day"],
      ["day.US", "12"],
      ["kind.EU", "default"],
      ["day.EU", "3"],
    ]);
    expect(form).toEqual({
      default: { kind: "business_day", day: 3 },
      entities: { US: { kind: "calendar_day", day: 12 } },
    });
    await saveCloseDeadlines(t.db, form, ADMIN_ACTOR);
    expect(await loadCloseDeadlines(t.db)).toEqual(form);
    await saveCloseDeadlines(
      t.db,
      { default: { kind: "business_day", day: 5 }, entities: {} },
      ADMIN_ACTOR,
    );
  });
});

describe("the close condition", () => {
  const { conditionRule } = alertingKit(t);

  it("fires for an entity-month still NO-GO within N days of its deadline, per the entity's setting", async () => {
    // CLOSE-A has no telemetry at all, so May 2025 is NO-GO (no usage data proves it complete).
    // On 5 June 12:00 its deadline (business day 5: 7 June 00:00) is 1.5 days away.
    const now = new Date("2025-06-05T12:00:00Z");
    const within2 = await conditionRule(
      "Close at risk",
      { kind: "close", withinDays: 2 },
      "CLOSE-A",
    );
    const within1 = await conditionRule(
      "Close at risk, 1 day",
      { kind: "close", withinDays: 1 },
      "CLOSE-A",
    );
    await evaluateAlerts(t.db, now);
    const of = async (ruleId: string) =>
      (await t.db.select().from(alerts).where(eq(alerts.ruleId, ruleId))).map((a) => ({
        dimension: a.dimension,
        state: a.state,
        value: a.value,
        threshold: a.threshold,
      }));
    // 1.5 days ≤ 2: fires, the value being whole days left (1). June's own deadline is weeks away.
    expect(await of(within2.id)).toEqual([
      { dimension: "CLOSE-A 2025-05", state: "firing", value: 1, threshold: 2 },
    ]);
    // 1.5 days > 1: not yet.
    expect(await of(within1.id)).toEqual([]);

    // CLOSE-A's own deadline, day 20 of the next month (21 June 00:00), is 15.5 days away.
    await saveCloseDeadlines(
      t.db,
      {
        default: { kind: "business_day", day: 5 },
        entities: { "CLOSE-A": { kind: "calendar_day", day: 20 } },
      },
      ADMIN_ACTOR,
    );
    await evaluateAlerts(t.db, new Date(now.getTime() + 60_000));
    expect((await of(within2.id)).map((a) => a.state)).toEqual(["resolved"]);
  });
});
