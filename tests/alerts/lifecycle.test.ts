import { and, eq, isNotNull } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { alerts, auditLog } from "@/db/schema";
import { acknowledgeAlert } from "@/lib/alerts/acknowledge";
import { deactivateChannel } from "@/lib/alerts/channels";
import { evaluateAlerts } from "@/lib/alerts/evaluate";
import { updateRule } from "@/lib/alerts/rules";
import { Conflict, InvalidInput } from "@/lib/errors";
import { TEST_ENGINE, testDbForSuite } from "../support/db";
import { HOUR, MINUTE, ingest } from "../kpi/support";
import { CONTEXT, FIRST_PASS_BELOW_90, postings, alertingKit, at } from "./support";

/*
 * The lifecycle driven directly, at chosen instants: pending for the rule's `for`, firing,
 * resolved; no data neither fires nor mends; one alert per rule × dimension however often
 * (and by however many instances at once) the rules are evaluated; acknowledgement. Each test
 * works on its own day of 2025, so the KPI windows never see another test's telemetry, and
 * deletes its rule at the end.
 */

const t = testDbForSuite();
const { noticesTo, alertsOf, ruleWithChannel: firstPassRuleWithChannel } = alertingKit(t);

describe("alert lifecycle", () => {
  it("holds a breach as pending for the rule's `for`, then fires once and resolves once", async () => {
    const day = "2025-02-03T12:00:00Z";
    const { channel, rule } = await firstPassRuleWithChannel({ for: "PT10M" });
    await ingest(
      t.db,
      postings(3, "failed", at(day, -HOUR)),
      postings(1, "succeeded", at(day, -HOUR)),
    );

    await evaluateAlerts(t.db, at(day));
    expect((await alertsOf(rule.id)).map((a) => a.state)).toEqual(["pending"]);
    await evaluateAlerts(t.db, at(day, 9 * MINUTE));
    expect((await alertsOf(rule.id)).map((a) => a.state)).toEqual(["pending"]);
    expect(await noticesTo(channel.id)).toEqual([]);

    await evaluateAlerts(t.db, at(day, 10 * MINUTE));
    await evaluateAlerts(t.db, at(day, 11 * MINUTE));
    const [firing] = await alertsOf(rule.id);
    expect(firing).toMatchObject({ state: "firing", value: 0.25, threshold: 0.9 });
    expect(firing!.startedAt).toEqual(at(day, 10 * MINUTE));
    expect((await noticesTo(channel.id)).map((n) => n.kind)).toEqual(["alert.firing"]);

    await ingest(t.db, postings(40, "succeeded", at(day, 12 * MINUTE)));
    await evaluateAlerts(t.db, at(day, 13 * MINUTE));
    await evaluateAlerts(t.db, at(day, 14 * MINUTE));
    const [resolved] = await alertsOf(rule.id);
    expect(resolved).toMatchObject({ state: "resolved", resolvedAt: at(day, 13 * MINUTE) });
    expect((await noticesTo(channel.id)).map((n) => n.kind)).toEqual([
      "alert.firing",
      "alert.resolved",
    ]);
    const audited = await t.db
      .select({ action: auditLog.action })
      .from(auditLog)
      .where(and(eq(auditLog.targetType, "alert"), eq(auditLog.targetId, firing!.id)));
    expect(audited.map((a) => a.action).sort()).toEqual(["alert.firing", "alert.resolved"]);
  });

  it("drops a pending alert the telemetry mends before it fires, telling nobody", async () => {
    const day = "2025-02-05T12:00:00Z";
    const { channel, rule } = await firstPassRuleWithChannel({ for: "PT10M" });
    await ingest(t.db, postings(1, "failed", at(day, -HOUR)));
    await evaluateAlerts(t.db, at(day));
    expect(await alertsOf(rule.id)).toHaveLength(1);
    await ingest(t.db, postings(20, "succeeded", at(day, MINUTE)));
    await evaluateAlerts(t.db, at(day, 2 * MINUTE));
    expect(await alertsOf(rule.id)).toEqual([]);
    expect(await noticesTo(channel.id)).toEqual([]);
  });

  it("never fires on nothing to measure, and keeps a firing alert firing when the data stops", async () => {
    const day = "2025-02-07T12:00:00Z";
    const { channel, rule } = await firstPassRuleWithChannel({
      condition: { ...FIRST_PASS_BELOW_90, window: "PT1H" },
    });
    await evaluateAlerts(t.db, at(day));
    expect(await alertsOf(rule.id)).toEqual([]);

    await ingest(t.db, postings(2, "failed", at(day, MINUTE)));
    await evaluateAlerts(t.db, at(day, 2 * MINUTE));
    expect((await alertsOf(rule.id)).map((a) => a.state)).toEqual(["firing"]);
    // Two hours on, the one-hour window holds no posting: no data, not mended.
    await evaluateAlerts(t.db, at(day, 2 * HOUR));
    expect((await alertsOf(rule.id)).map((a) => a.state)).toEqual(["firing"]);
    expect((await noticesTo(channel.id)).map((n) => n.kind)).toEqual(["alert.firing"]);
  });

  it("keeps one alert per rule × dimension when two instances evaluate at once", async () => {
    const day = "2025-02-09T12:00:00Z";
    const { channel, rule } = await firstPassRuleWithChannel();
    await ingest(t.db, postings(2, "failed", at(day, -MINUTE)));
    const results = await Promise.all(
      Array.from({ length: 4 }, () => evaluateAlerts(t.db, at(day))),
    );
    // Only one of them got the evaluation; the others skipped the round (on PGlite, one
    // connection, they ran one after another and found the alert already firing).
    if (TEST_ENGINE === "postgres")
      expect(results.filter((r) => r !== null).length).toBeGreaterThanOrEqual(1);
    expect(results.reduce((sum, r) => sum + (r?.fired ?? 0), 0)).toBe(1);
    expect(await alertsOf(rule.id)).toHaveLength(1);
    expect(await noticesTo(channel.id)).toHaveLength(1);
    await expect(
      t.db.insert(alerts).values({
        ruleId: rule.id,
        dimension: "",
        state: "pending",
        pendingSince: at(day),
        lastEvaluatedAt: at(day),
      }),
    ).rejects.toThrow();
  });

  it("alerts per entity when the rule says each entity", async () => {
    const day = "2025-02-11T12:00:00Z";
    const { channel, rule } = await firstPassRuleWithChannel({ entity: "*" });
    await ingest(
      t.db,
      postings(2, "failed", at(day, -MINUTE), "EU"),
      postings(5, "succeeded", at(day, -MINUTE), "US"),
    );
    await evaluateAlerts(t.db, at(day));
    expect((await alertsOf(rule.id)).map((a) => [a.dimension, a.state])).toEqual([
      ["EU", "firing"],
    ]);
    const [notice] = await noticesTo(channel.id);
    expect(notice!.payload).toMatchObject({
      type: "alert.firing",
      alert: { entity: "EU", value: 0 },
    });
  });

  it("acknowledges a firing alert once, with a comment, and tells its channels", async () => {
    const day = "2025-02-13T12:00:00Z";
    const { channel, rule } = await firstPassRuleWithChannel();
    await ingest(t.db, postings(2, "failed", at(day, -MINUTE)));
    await evaluateAlerts(t.db, at(day));
    const [alert] = await alertsOf(rule.id);

    await expect(acknowledgeAlert(t.db, alert!.id, { comment: "  " }, CONTEXT)).rejects.toThrow(
      InvalidInput,
    );
    await acknowledgeAlert(t.db, alert!.id, { comment: "ERP vendor paged" }, CONTEXT);
    await expect(acknowledgeAlert(t.db, alert!.id, { comment: "me too" }, CONTEXT)).rejects.toThrow(
      Conflict,
    );
    const notices = await noticesTo(channel.id);
    expect(notices.map((n) => n.kind)).toEqual(["alert.firing", "alert.acknowledged"]);
    expect(notices[1]!.payload).toMatchObject({
      alert: { id: alert!.id, acknowledged: { comment: "ERP vendor paged", by: "test" } },
    });
    const [acked] = await t.db
      .select()
      .from(alerts)
      .where(and(eq(alerts.id, alert!.id), isNotNull(alerts.acknowledgedAt)));
    expect(acked).toMatchObject({ state: "firing", acknowledgeComment: "ERP vendor paged" });

    // Resolved, it can no longer be acknowledged.
    await ingest(t.db, postings(40, "succeeded", at(day, MINUTE)));
    await evaluateAlerts(t.db, at(day, 2 * MINUTE));
    const resolvedAlert = (await alertsOf(rule.id))[0]!;
    expect(resolvedAlert.state).toBe("resolved");
    await expect(
      acknowledgeAlert(t.db, resolvedAlert.id, { comment: "late" }, CONTEXT),
    ).rejects.toThrow(Conflict);
  });

  it("sends nothing new to a deactivated channel, and a disabled rule is not evaluated", async () => {
    const day = "2025-02-15T12:00:00Z";
    const { channel, rule } = await firstPassRuleWithChannel();
    await updateRule(t.db, rule.id, { enabled: false }, CONTEXT);
    await ingest(t.db, postings(2, "failed", at(day, -MINUTE)));
    await evaluateAlerts(t.db, at(day));
    expect(await alertsOf(rule.id)).toEqual([]);

    await updateRule(t.db, rule.id, { enabled: true }, CONTEXT);
    await deactivateChannel(t.db, channel.id, CONTEXT);
    await evaluateAlerts(t.db, at(day));
    expect((await alertsOf(rule.id)).map((a) => a.state)).toEqual(["firing"]);
    expect(await noticesTo(channel.id)).toEqual([]);
  });
});
