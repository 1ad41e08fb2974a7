import { describe, expect, it } from "vitest";
import { createChannel } from "@/lib/alerts/channels";
import { evaluateAlerts } from "@/lib/alerts/evaluate";
import { quietHoursEnd } from "@/lib/alerts/quiet-hours";
import { alertRequest, slackGroupMessage } from "@/lib/alerts/render";
import { deleteRule } from "@/lib/alerts/rules";
import { testDbForSuite } from "../support/db";
import { HOUR, MINUTE, ingest } from "../kpi/support";
import { CONTEXT, firstPassRule, postings, alertingKit, at } from "./support";

/*
 * How notices reach a channel: quiet hours hold them until they end (critical may bypass),
 * a newer notice of an alert replaces its held one, a group window gathers the alerts that
 * start together into one message, and a rule's repeat tells a still-firing alert again.
 */

const t = testDbForSuite();
const { noticesTo } = alertingKit(t);

async function channelWith(settings: Record<string, unknown>) {
  const { channel } = await createChannel(
    t.db,
    { kind: "webhook", name: `ch ${Math.random()}`, url: "http://127.0.0.1:9/unused", ...settings },
    CONTEXT,
  );
  return channel;
}

describe("quiet hours", () => {
  const night = { start: "22:00", end: "07:00", timeZone: "Europe/Berlin", criticalBypass: true };

  it("answers when quiet hours end, over midnight and across clock changes", () => {
    // 22:30 in Berlin (CET, UTC+1) is quiet until 07:00 CET, 06:00 UTC.
    expect(quietHoursEnd(night, "warning", at("2025-01-15T21:30:00Z"))).toEqual(
      at("2025-01-16T06:00:00Z"),
    );
    // 06:59:30 CET: half a minute left.
    expect(quietHoursEnd(night, "warning", at("2025-01-16T05:59:30Z"))).toEqual(
      at("2025-01-16T06:00:00Z"),
    );
    expect(quietHoursEnd(night, "warning", at("2025-01-16T06:00:00Z"))).toBeNull();
    expect(quietHoursEnd(night, "warning", at("2025-01-15T12:00:00Z"))).toBeNull();
    expect(quietHoursEnd(night, "critical", at("2025-01-15T21:30:00Z"))).toBeNull();
    expect(
      quietHoursEnd({ ...night, criticalBypass: false }, "critical", at("2025-01-15T21:30:00Z")),
    ).toEqual(at("2025-01-16T06:00:00Z"));
    // The same hours in summer (CEST, UTC+2): 07:00 is 05:00 UTC.
    expect(quietHoursEnd(night, "info", at("2025-07-01T23:00:00Z"))).toEqual(
      at("2025-07-02T05:00:00Z"),
    );
    // 26 October 2025, clocks go back at 03:00 CEST: 01:30 CEST (23:30 UTC) is quiet until
    // 04:00 CET, which is 03:00 UTC, three and a half hours later, not two and a half.
    const small = {
      start: "01:00",
      end: "04:00",
      timeZone: "Europe/Berlin",
      criticalBypass: false,
    };
    expect(quietHoursEnd(small, "info", at("2025-10-25T23:30:00Z"))).toEqual(
      at("2025-10-26T03:00:00Z"),
    );
    // Within a day, in UTC.
    const lunch = { start: "12:00", end: "13:00", timeZone: "UTC", criticalBypass: false };
    expect(quietHoursEnd(lunch, "info", at("2025-01-15T12:30:00Z"))).toEqual(
      at("2025-01-15T13:00:00Z"),
    );
    expect(quietHoursEnd(lunch, "info", at("2025-01-15T13:00:00Z"))).toBeNull();
  });

  it("holds a notice until they end, and sends one notice of the alert's state then", async () => {
    const day = "2025-06-03T23:00:00Z";
    const channel = await channelWith({
      quietHours: { start: "22:00", end: "07:00", timeZone: "UTC" },
    });
    const rule = await firstPassRule(t.db, [channel.id], { severity: "warning" });
    await ingest(t.db, postings(2, "failed", at(day, -MINUTE)));
    await evaluateAlerts(t.db, at(day));
    expect(await noticesTo(channel.id)).toEqual([
      expect.objectContaining({ kind: "alert.firing", nextAttemptAt: at("2025-06-04T07:00:00Z") }),
    ]);
    // Mended at 23:30: the held firing notice gives way to the resolved one, still held.
    await ingest(t.db, postings(40, "succeeded", at(day, 20 * MINUTE)));
    await evaluateAlerts(t.db, at(day, 30 * MINUTE));
    const held = await noticesTo(channel.id);
    expect(held.map((n) => [n.kind, n.nextAttemptAt])).toEqual([
      ["alert.resolved", at("2025-06-04T07:00:00Z")],
    ]);
    expect(held[0]!.payload).toMatchObject({
      type: "alert.resolved",
      alert: { resolvedAt: at(day, 30 * MINUTE).toISOString() },
    });
    await deleteRule(t.db, rule.id, CONTEXT);
  });

  it("lets a critical alert through when the channel says critical bypasses them", async () => {
    const day = "2025-06-05T23:00:00Z";
    const channel = await channelWith({
      quietHours: { start: "22:00", end: "07:00", timeZone: "UTC", criticalBypass: true },
    });
    const rule = await firstPassRule(t.db, [channel.id], { severity: "critical" });
    await ingest(t.db, postings(2, "failed", at(day, -MINUTE)));
    await evaluateAlerts(t.db, at(day));
    expect((await noticesTo(channel.id)).map((n) => n.nextAttemptAt)).toEqual([at(day)]);
    await deleteRule(t.db, rule.id, CONTEXT);
  });
});

describe("grouping and repeat", () => {
  /**
   * A per-entity first-pass rule on a channel with the group window, evaluated at `day` just
   * after EU and US each failed two postings: both alerts start firing together.
   */
  async function euAndUsFiring(day: string, groupWindow: string) {
    const channel = await channelWith({ groupWindow });
    const rule = await firstPassRule(t.db, [channel.id], { entity: "*" });
    await ingest(
      t.db,
      postings(2, "failed", at(day, -MINUTE), "EU"),
      postings(2, "failed", at(day, -MINUTE), "US"),
    );
    await evaluateAlerts(t.db, at(day));
    return { channel, rule };
  }

  it("sends the alerts that start within the group window as one message", async () => {
    const day = "2025-06-10T12:00:00Z";
    const { channel, rule } = await euAndUsFiring(day, "PT1M");
    // Half a minute later a third entity breaks: it joins the held message.
    await ingest(t.db, postings(2, "failed", at(day, 20_000), "APAC"));
    await evaluateAlerts(t.db, at(day, 30_000));
    let notices = await noticesTo(channel.id);
    expect(notices).toHaveLength(1);
    expect(notices[0]!.nextAttemptAt).toEqual(at(day, MINUTE));
    const group = notices[0]!.payload as { type: string; alerts: { entity: string }[] };
    expect(group.type).toBe("alert.group");
    expect(group.alerts.map((a) => a.entity).sort()).toEqual(["APAC", "EU", "US"]);

    // After the window (the message is due), the next one opens a new message: one alert
    // alone is the documented single-alert notice.
    await ingest(t.db, postings(2, "failed", at(day, 90_000), "LATAM"));
    await evaluateAlerts(t.db, at(day, 2 * MINUTE));
    notices = await noticesTo(channel.id);
    expect(notices).toHaveLength(2);
    expect(notices[1]).toMatchObject({
      kind: "alert.firing",
      nextAttemptAt: at(day, 3 * MINUTE),
      payload: { type: "alert.firing", alert: { entity: "LATAM" } },
    });

    // The webhook receives the group as stored; Slack one message with a line per alert.
    const request = alertRequest({
      id: "msg_1",
      payload: notices[0]!.payload as Record<string, unknown>,
      url: "https://receiver.example.test/hook",
      secret: null,
      channelKind: "slack",
    });
    expect(JSON.parse(request.body)).toEqual(slackGroupMessage(group as never));
    expect(JSON.parse(request.body).text).toBe("3 alerts firing");
    await deleteRule(t.db, rule.id, CONTEXT);
  });

  it("withdraws an alert that resolves from the group still held", async () => {
    const day = "2025-06-12T12:00:00Z";
    const { channel, rule } = await euAndUsFiring(day, "PT5M");
    await ingest(t.db, postings(40, "succeeded", at(day, MINUTE), "EU"));
    await evaluateAlerts(t.db, at(day, 2 * MINUTE));
    const notices = await noticesTo(channel.id);
    expect(notices.map((n) => [n.kind, (n.payload as { type: string }).type])).toEqual([
      ["alert.firing", "alert.firing"],
      ["alert.resolved", "alert.resolved"],
    ]);
    expect(notices[0]!.payload).toMatchObject({ alert: { entity: "US" } });
    expect(notices[1]!.payload).toMatchObject({ alert: { entity: "EU" } });
    await deleteRule(t.db, rule.id, CONTEXT);
  });

  it("tells a still-firing alert again after the rule's repeat interval", async () => {
    const day = "2025-06-14T12:00:00Z";
    const channel = await channelWith({});
    const rule = await firstPassRule(t.db, [channel.id], { repeat: "PT1H" });
    await ingest(t.db, postings(2, "failed", at(day, -MINUTE)));
    await evaluateAlerts(t.db, at(day));
    await evaluateAlerts(t.db, at(day, 30 * MINUTE));
    expect(await evaluateAlerts(t.db, at(day, HOUR))).toMatchObject({ retold: 1 });
    await evaluateAlerts(t.db, at(day, 90 * MINUTE));
    await evaluateAlerts(t.db, at(day, 2 * HOUR));
    const notices = await noticesTo(channel.id);
    expect(notices.map((n) => [n.kind, n.nextAttemptAt])).toEqual([
      ["alert.firing", at(day)],
      ["alert.firing", at(day, HOUR)],
      ["alert.firing", at(day, 2 * HOUR)],
    ]);
    await deleteRule(t.db, rule.id, CONTEXT);
  });
});
