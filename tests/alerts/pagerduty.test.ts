import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alerts } from "@/db/schema";
import { acknowledgeAlert } from "@/lib/alerts/acknowledge";
import { createChannel, listChannels, updateChannel } from "@/lib/alerts/channels";
import { evaluateAlerts } from "@/lib/alerts/evaluate";
import { PAGERDUTY_EVENTS_URL, pagerDutyEvent } from "@/lib/alerts/render";
import { deleteRule } from "@/lib/alerts/rules";
import type { AlertNotice } from "@/lib/contract/alert-notices";
import { InvalidInput } from "@/lib/errors";
import { dispatchDue } from "@/lib/outbox/dispatcher";
import { testDbForSuite } from "../support/db";
import { HOUR, MINUTE, ingest } from "../kpi/support";
import { FAST } from "../outbox/support";
import { CONTEXT, firstPassRule, postings, startReceiver, storedSecret } from "./support";

/*
 * PagerDuty Events API v2: firing triggers, acknowledging acknowledges and resolving resolves
 * one incident, tied together by the alert's id as dedup_key. The routing key is a credential:
 * sealed at rest, absent from every answer, kept on a change that does not replace it.
 */

const t = testDbForSuite();
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const KEY = "R0uting0Key0For0Tests0000000000A"; // 32 letters and digits
const OTHER_KEY = "AnotherRoutingKey000000000000000";

beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => receiver?.close());

interface PdEvent {
  routing_key: string;
  event_action: string;
  dedup_key: string;
  payload?: Record<string, unknown> & { custom_details: Record<string, string> };
  links?: { href: string; text: string }[];
}

describe("PagerDuty channel", () => {
  it("triggers, acknowledges and resolves one incident keyed by the alert", async () => {
    const day = Date.parse("2025-05-06T12:00:00Z");
    const { channel, secret } = await createChannel(
      t.db,
      {
        kind: "pagerduty",
        name: "Finance on-call",
        routingKey: KEY,
        eventsUrl: `${receiver.url}/pd`,
      },
      CONTEXT,
    );
    expect(secret).toBeNull();
    expect(channel.config).toEqual({ url: `${receiver.url}/pd` });
    expect(JSON.stringify(await listChannels(t.db))).not.toContain(KEY);
    const stored = await storedSecret(t.db, channel.id);
    expect(stored).toBeTruthy();
    expect(stored).not.toContain(KEY);

    const rule = await firstPassRule(t.db, [channel.id], { entity: "PD" });
    // One failed first attempt: first-pass success 0 of 1 = 0, below 0.9.
    await ingest(t.db, postings(1, "failed", new Date(day - HOUR), "PD"));
    await evaluateAlerts(t.db, new Date(day), { baseUrl: "https://closeline.test" });
    await dispatchDue(t.db, FAST);
    const [alert] = await t.db.select().from(alerts).where(eq(alerts.ruleId, rule.id));
    const url = `https://closeline.test/alerts#alert-${alert!.id}`;

    const [trigger] = receiver.bodies<PdEvent>("/pd");
    expect(trigger).toMatchObject({
      routing_key: KEY,
      event_action: "trigger",
      dedup_key: alert!.id,
      client: "Closeline",
      client_url: url,
      links: [
        { href: url, text: "Open in Closeline" },
        { href: "https://closeline.test/overview?entity=PD", text: "Show the filtered view" },
      ],
    });
    expect(trigger!.payload).toMatchObject({
      summary: `Firing [critical] ${rule.name} (PD): 0.0 % against a threshold of 90.0 %`,
      source: "closeline.test",
      severity: "critical",
      component: "PD",
      group: rule.name,
      timestamp: "2025-05-06T12:00:00.000Z",
    });
    expect(trigger!.payload!.custom_details).toMatchObject({
      Entity: "PD",
      Value: "0.0 % against a threshold of 90.0 %",
    });

    await acknowledgeAlert(t.db, alert!.id, { comment: "On it" }, CONTEXT);
    await dispatchDue(t.db, FAST);
    // Nine successes: 9 of 10 = 0.9, no longer below 0.9.
    await ingest(t.db, postings(9, "succeeded", new Date(day + MINUTE), "PD"));
    await evaluateAlerts(t.db, new Date(day + 2 * MINUTE));
    await dispatchDue(t.db, FAST);
    const [, acknowledge, resolve] = receiver.bodies<PdEvent>("/pd");
    expect(acknowledge).toEqual({
      routing_key: KEY,
      event_action: "acknowledge",
      dedup_key: alert!.id,
    });
    expect(resolve).toEqual({ routing_key: KEY, event_action: "resolve", dedup_key: alert!.id });
    expect(receiver.received.filter((r) => r.path === "/pd")).toHaveLength(3);
    await deleteRule(t.db, rule.id, CONTEXT);
  });

  it("keeps the routing key on a change that omits it, replaces it on one that gives it", async () => {
    const { channel } = await createChannel(
      t.db,
      { kind: "pagerduty", name: "Default address", routingKey: KEY },
      CONTEXT,
    );
    expect(channel.config).toEqual({ url: PAGERDUTY_EVENTS_URL });
    const sealed = () => storedSecret(t.db, channel.id);
    const before = await sealed();

    const renamed = await updateChannel(
      t.db,
      channel.id,
      { name: "Renamed", eventsUrl: `${receiver.url}/pd-eu` },
      CONTEXT,
    );
    expect(renamed).toMatchObject({ name: "Renamed", config: { url: `${receiver.url}/pd-eu` } });
    expect(await sealed()).toBe(before);

    await updateChannel(t.db, channel.id, { routingKey: OTHER_KEY }, CONTEXT);
    expect(await sealed()).not.toBe(before);

    await expect(
      updateChannel(t.db, channel.id, { routingKey: "too-short" }, CONTEXT),
    ).rejects.toThrow(InvalidInput);
    await expect(
      createChannel(t.db, { kind: "pagerduty", name: "No key" }, CONTEXT),
    ).rejects.toThrow(/routingKey/);
  });

  it("takes no group window: alerts that start together are one event each", async () => {
    await expect(
      createChannel(
        t.db,
        { kind: "pagerduty", name: "Grouped", routingKey: KEY, groupWindow: "PT1M" },
        CONTEXT,
      ),
    ).rejects.toThrow(/groupWindow: a pagerduty channel gets one event per alert/);
    const { channel } = await createChannel(
      t.db,
      {
        kind: "pagerduty",
        name: "Per alert",
        routingKey: KEY,
        eventsUrl: `${receiver.url}/pd-each`,
      },
      CONTEXT,
    );
    await expect(updateChannel(t.db, channel.id, { groupWindow: "PT1M" }, CONTEXT)).rejects.toThrow(
      InvalidInput,
    );

    const day = Date.parse("2025-05-09T12:00:00Z");
    const rule = await firstPassRule(t.db, [channel.id], { entity: "*" });
    await ingest(
      t.db,
      postings(2, "failed", new Date(day - HOUR), "PD-EACH-A"),
      postings(2, "failed", new Date(day - HOUR), "PD-EACH-B"),
    );
    await evaluateAlerts(t.db, new Date(day));
    expect(await dispatchDue(t.db, FAST)).toMatchObject({ claimed: 2, delivered: 2 });
    const events = receiver.bodies<PdEvent>("/pd-each");
    expect(events.map((e) => e.event_action)).toEqual(["trigger", "trigger"]);
    const fired = await t.db.select().from(alerts).where(eq(alerts.ruleId, rule.id));
    expect(events.map((e) => e.dedup_key).sort()).toEqual(fired.map((a) => a.id).sort());
    await deleteRule(t.db, rule.id, CONTEXT);
  });

  it("maps each severity onto PagerDuty's", () => {
    const notice = (severity: "info" | "warning" | "critical"): AlertNotice => ({
      type: "alert.firing",
      alert: {
        id: "00000000-0000-4000-8000-000000000001",
        ruleId: "00000000-0000-4000-8000-000000000002",
        ruleName: "r",
        severity,
        entity: null,
        value: null,
        threshold: null,
        startedAt: null,
        resolvedAt: null,
        url: "https://closeline.test/alerts",
        acknowledged: null,
      },
    });
    const severityOf = (s: "info" | "warning" | "critical") =>
      (pagerDutyEvent(notice(s), KEY) as PdEvent).payload!.severity;
    expect(["info", "warning", "critical"].map((s) => severityOf(s as "info"))).toEqual([
      "info",
      "warning",
      "critical",
    ]);
    // The whole company is the component when the alert has no entity.
    expect((pagerDutyEvent(notice("info"), KEY) as PdEvent).payload!.component).toBe(
      "whole company",
    );
  });
});
