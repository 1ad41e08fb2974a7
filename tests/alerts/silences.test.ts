import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog } from "@/db/schema";
import { acknowledgeAlert } from "@/lib/alerts/acknowledge";
import { evaluateAlerts } from "@/lib/alerts/evaluate";
import { listAlerts } from "@/lib/alerts/list";
import { createSilence, liftSilence, listSilences, silenceAlert } from "@/lib/alerts/silences";
import { InvalidInput, NotFound } from "@/lib/errors";
import { testDbForSuite } from "../support/db";
import { HOUR, MINUTE, ingest } from "../kpi/support";
import { CONTEXT, alertingKit, at, postings } from "./support";

/*
 * Silences, at chosen instants: a silenced alert still fires and resolves (and is audited)
 * but its channels hear nothing; when the silence ends or is lifted and the alert still
 * fires, the next evaluation tells them once. Each test has its own day of 2025.
 */

const t = testDbForSuite();
const { noticesTo, alertsOf, ruleWithChannel } = alertingKit(t);

describe("silences", () => {
  it("withholds notices while silenced, and tells a still-firing alert once when it ends", async () => {
    const day = "2025-05-05T12:00:00Z";
    const { channel, rule } = await ruleWithChannel();
    await ingest(
      t.db,
      postings(3, "failed", at(day, -HOUR)),
      postings(1, "succeeded", at(day, -HOUR)),
    );
    const silence = await createSilence(
      t.db,
      {
        ruleId: rule.id,
        until: at(day, 30 * MINUTE).toISOString(),
        comment: "ERP upgrade tonight",
      },
      { ...CONTEXT, now: at(day, -MINUTE) },
    );
    expect(silence).toMatchObject({
      ruleId: rule.id,
      dimension: null,
      comment: "ERP upgrade tonight",
    });

    const first = await evaluateAlerts(t.db, at(day));
    expect(first).toMatchObject({ fired: 1, retold: 0 });
    const [firing] = await alertsOf(rule.id);
    expect(firing).toMatchObject({ state: "firing", value: 0.25, notifiedAt: null });
    expect(await noticesTo(channel.id)).toEqual([]);
    const [audited] = await t.db
      .select({ after: auditLog.after })
      .from(auditLog)
      .where(and(eq(auditLog.targetId, firing!.id), eq(auditLog.action, "alert.firing")));
    expect(audited!.after).toMatchObject({ silenced: true });

    await evaluateAlerts(t.db, at(day, 29 * MINUTE));
    expect(await noticesTo(channel.id)).toEqual([]);

    // 12:30 the silence is over; the alert still fires: one notice, then no more.
    expect(await evaluateAlerts(t.db, at(day, 30 * MINUTE))).toMatchObject({ fired: 0, retold: 1 });
    await evaluateAlerts(t.db, at(day, 31 * MINUTE));
    const notices = await noticesTo(channel.id);
    expect(notices.map((n) => n.kind)).toEqual(["alert.firing"]);
    expect(notices[0]!.payload).toMatchObject({ type: "alert.firing", alert: { id: firing!.id } });
    expect((await alertsOf(rule.id))[0]!.notifiedAt).toEqual(at(day, 30 * MINUTE));
  });

  it("silences one dimension of a per-entity rule and leaves the others alone", async () => {
    const day = "2025-05-07T12:00:00Z";
    const { channel, rule } = await ruleWithChannel({ entity: "*" });
    await ingest(
      t.db,
      postings(2, "failed", at(day, -MINUTE), "EU"),
      postings(2, "failed", at(day, -MINUTE), "US"),
    );
    await createSilence(
      t.db,
      { ruleId: rule.id, dimension: "EU", until: at(day, HOUR).toISOString(), comment: "known" },
      { ...CONTEXT, now: at(day, -MINUTE) },
    );
    await evaluateAlerts(t.db, at(day));
    expect((await alertsOf(rule.id)).map((a) => [a.dimension, a.state])).toEqual([
      ["EU", "firing"],
      ["US", "firing"],
    ]);
    const notices = await noticesTo(channel.id);
    expect(notices.map((n) => (n.payload as { alert: { entity: string } }).alert.entity)).toEqual([
      "US",
    ]);
  });

  it("tells a firing alert at the next evaluation after its silence is lifted; resolving under a silence tells nobody", async () => {
    const day = "2025-05-09T12:00:00Z";
    const { channel, rule } = await ruleWithChannel();
    await ingest(t.db, postings(2, "failed", at(day, -MINUTE)));
    await evaluateAlerts(t.db, at(day));
    const silence = await silenceAlert(
      t.db,
      (await alertsOf(rule.id))[0]!.id,
      { until: at(day, 2 * HOUR).toISOString(), comment: "on it", scope: "alert" },
      { ...CONTEXT, now: at(day, MINUTE) },
    );
    // The alert fired before the silence: told once, at 12:00.
    expect((await noticesTo(channel.id)).map((n) => n.kind)).toEqual(["alert.firing"]);
    await evaluateAlerts(t.db, at(day, 2 * MINUTE));
    // Silenced: the notice is owed again, and an acknowledgement tells nobody.
    const [owed] = await alertsOf(rule.id);
    expect(owed!.notifiedAt).toBeNull();
    await acknowledgeAlert(
      t.db,
      owed!.id,
      { comment: "looking" },
      { ...CONTEXT, now: at(day, 3 * MINUTE) },
    );
    expect(await noticesTo(channel.id)).toHaveLength(1);

    await liftSilence(t.db, silence.id, { ...CONTEXT, now: at(day, 5 * MINUTE) });
    await expect(
      liftSilence(t.db, silence.id, { ...CONTEXT, now: at(day, 6 * MINUTE) }),
    ).rejects.toThrow(NotFound);
    await evaluateAlerts(t.db, at(day, 6 * MINUTE));
    expect((await noticesTo(channel.id)).map((n) => n.kind)).toEqual([
      "alert.firing",
      "alert.firing",
    ]);

    // Silenced again, then mended: it resolves, and nobody is told.
    await createSilence(
      t.db,
      { ruleId: rule.id, until: at(day, 3 * HOUR).toISOString(), comment: "again" },
      { ...CONTEXT, now: at(day, 7 * MINUTE) },
    );
    await ingest(t.db, postings(40, "succeeded", at(day, 8 * MINUTE)));
    expect(await evaluateAlerts(t.db, at(day, 9 * MINUTE))).toMatchObject({ resolved: 1 });
    expect((await alertsOf(rule.id))[0]!.state).toBe("resolved");
    expect(await noticesTo(channel.id)).toHaveLength(2);
    const lifted = await t.db
      .select({ action: auditLog.action })
      .from(auditLog)
      .where(eq(auditLog.targetId, silence.id));
    expect(lifted.map((a) => a.action).sort()).toEqual([
      "alert_silence.created",
      "alert_silence.lifted",
    ]);
  });

  it("refuses a silence in the past, too far ahead, without a comment or for no rule", async () => {
    const { rule } = await ruleWithChannel();
    const now = new Date("2025-05-11T12:00:00Z");
    const make = (body: Record<string, unknown>) =>
      createSilence(t.db, { ruleId: rule.id, comment: "why", ...body }, { ...CONTEXT, now });
    await expect(make({ until: "2025-05-11T11:59:00Z" })).rejects.toThrow(InvalidInput);
    await expect(make({ until: "2025-08-10T12:00:01Z" })).rejects.toThrow(InvalidInput);
    await expect(make({ until: "2025-05-11T13:00:00Z", comment: " " })).rejects.toThrow(
      InvalidInput,
    );
    await expect(make({ until: "tomorrow" })).rejects.toThrow(InvalidInput);
    await expect(
      make({ until: "2025-05-11T13:00:00Z", ruleId: "00000000-0000-4000-8000-000000000000" }),
    ).rejects.toThrow(NotFound);
    // 90 days exactly is the limit.
    await expect(make({ until: "2025-08-09T12:00:00Z" })).resolves.toMatchObject({
      ruleId: rule.id,
    });
  });

  it("shows an alert as silenced until the silence's end, and lists the silences in force", async () => {
    const { channel, rule } = await ruleWithChannel();
    const now = new Date();
    await ingest(t.db, postings(2, "failed", new Date(now.getTime() - MINUTE)));
    await evaluateAlerts(t.db, now);
    const until = new Date(now.getTime() + 2 * HOUR);
    const silence = await createSilence(
      t.db,
      { ruleId: rule.id, until: until.toISOString(), comment: "maintenance" },
      CONTEXT,
    );
    const listed = (await listAlerts(t.db, { states: ["firing"], limit: 500 })).find(
      (a) => a.ruleId === rule.id,
    );
    expect(listed!.silencedUntil).toEqual(until);
    expect((await listSilences(t.db)).map((s) => s.id)).toContain(silence.id);
    await liftSilence(t.db, silence.id, CONTEXT);
    const after = (await listAlerts(t.db, { states: ["firing"], limit: 500 })).find(
      (a) => a.ruleId === rule.id,
    );
    expect(after!.silencedUntil).toBeNull();
    expect((await listSilences(t.db)).map((s) => s.id)).not.toContain(silence.id);
    expect(channel.id).toBeTruthy();
  });
});
