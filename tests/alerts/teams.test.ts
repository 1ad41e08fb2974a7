import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alerts } from "@/db/schema";
import { acknowledgeAlert } from "@/lib/alerts/acknowledge";
import { createChannel } from "@/lib/alerts/channels";
import { evaluateAlerts } from "@/lib/alerts/evaluate";
import { deleteRule } from "@/lib/alerts/rules";
import { dispatchDue } from "@/lib/outbox/dispatcher";
import { testDbForSuite } from "../support/db";
import { HOUR, MINUTE, ingest } from "../kpi/support";
import { FAST, deliveriesOf, sleep } from "../outbox/support";
import { CONTEXT, commandsToChannel, firstPassRule, postings, startReceiver } from "./support";

/*
 * Microsoft Teams: each transition reaches a workflow webhook as one Adaptive Card (the shape
 * Teams' "when a webhook request is received" trigger posts), through the outbox: a receiver
 * that keeps failing gets the backoff's attempts and then the notice is dead.
 */

const t = testDbForSuite();
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  receiver = await startReceiver((path) => (path === "/down" ? 503 : 202));
});
afterAll(async () => receiver?.close());

interface Card {
  type: string;
  attachments: {
    contentType: string;
    content: {
      type: string;
      version: string;
      body: [
        { type: "TextBlock"; text: string; color: string },
        { type: "FactSet"; facts: { title: string; value: string }[] },
      ];
      actions: { type: string; title: string; url: string }[];
    };
  }[];
}

/** A group's card: a headline, then a Container per alert (summary, facts, links). */
interface GroupCard {
  attachments: {
    content: {
      version: string;
      body: [
        { type: "TextBlock"; text: string; color: string },
        ...{
          type: string;
          separator?: boolean;
          items: [
            { text?: string },
            { type: string; facts?: { title: string; value: string }[] },
            { actions?: { type: string; title: string; url: string }[] },
          ];
        }[],
      ];
      actions: { type: string; title: string; url: string }[];
    };
  }[];
}

const factsOf = (card: Card) =>
  Object.fromEntries(card.attachments[0]!.content.body[1].facts.map((f) => [f.title, f.value]));

describe("Microsoft Teams channel", () => {
  it("posts an Adaptive Card for firing, acknowledged and resolved", async () => {
    const day = Date.parse("2025-04-07T12:00:00Z");
    const { channel, secret } = await createChannel(
      t.db,
      { kind: "teams", name: "Finance ops", url: `${receiver.url}/teams` },
      CONTEXT,
    );
    expect(secret).toBeNull();
    expect(channel).toMatchObject({ kind: "teams", config: { url: `${receiver.url}/teams` } });
    const rule = await firstPassRule(t.db, [channel.id], { entity: "TEAMS" });
    // Two first attempts, both failed: first-pass success is 0 of 2 = 0, below 0.9.
    await ingest(t.db, postings(2, "failed", new Date(day - HOUR), "TEAMS"));
    await evaluateAlerts(t.db, new Date(day), { baseUrl: "https://closeline.test" });
    expect((await dispatchDue(t.db, FAST)).delivered).toBe(1);

    const [alert] = await t.db.select().from(alerts).where(eq(alerts.ruleId, rule.id));
    const [firing] = receiver.bodies<Card>("/teams");
    expect(firing!.type).toBe("message");
    expect(firing!.attachments).toHaveLength(1);
    const attachment = firing!.attachments[0]!;
    expect(attachment.contentType).toBe("application/vnd.microsoft.card.adaptive");
    expect(attachment.content.type).toBe("AdaptiveCard");
    expect(attachment.content.version).toBe("1.4");
    const [headline, factSet] = attachment.content.body;
    expect(headline.text).toBe(
      `Firing [critical] ${rule.name} (TEAMS): 0.0 % against a threshold of 90.0 %`,
    );
    expect(headline.color).toBe("attention");
    expect(factSet.type).toBe("FactSet");
    expect(factsOf(firing!)).toMatchObject({
      Rule: rule.name,
      State: "firing",
      Severity: "critical",
      Entity: "TEAMS",
      Value: "0.0 % against a threshold of 90.0 %",
      Started: "2025-04-07 12:00 UTC",
    });
    expect(attachment.content.actions).toEqual([
      {
        type: "Action.OpenUrl",
        title: "Open in Closeline",
        url: `https://closeline.test/alerts#alert-${alert!.id}`,
      },
      // The overview filtered to the alert's entity.
      {
        type: "Action.OpenUrl",
        title: "Show the filtered view",
        url: "https://closeline.test/overview?entity=TEAMS",
      },
    ]);

    await acknowledgeAlert(
      t.db,
      alert!.id,
      { comment: "Vendor paged" },
      { ...CONTEXT, baseUrl: "https://closeline.test" },
    );
    await dispatchDue(t.db, FAST);
    const acknowledged = receiver.bodies<Card>("/teams")[1]!;
    expect(acknowledged.attachments[0]!.content.body[0].text).toMatch(/^Acknowledged \[critical\]/);
    expect(factsOf(acknowledged).Acknowledged).toMatch(/^by test at .* UTC: Vendor paged$/);

    // Eighteen successes make it 18 of 20 = 0.9, no longer below 0.9: mended.
    await ingest(t.db, postings(18, "succeeded", new Date(day + MINUTE), "TEAMS"));
    await evaluateAlerts(t.db, new Date(day + 2 * MINUTE), { baseUrl: "https://closeline.test" });
    await dispatchDue(t.db, FAST);
    const resolved = receiver.bodies<Card>("/teams")[2]!;
    expect(resolved.attachments[0]!.content.body[0]).toMatchObject({
      text: `Resolved [critical] ${rule.name} (TEAMS): 90.0 % against a threshold of 90.0 %`,
      color: "good",
    });
    expect(factsOf(resolved)).toMatchObject({
      State: "resolved",
      Resolved: "2025-04-07 12:02 UTC",
    });
    expect(receiver.bodies("/teams")).toHaveLength(3);
    await deleteRule(t.db, rule.id, CONTEXT);
  });

  it("retries a failing workflow on the backoff, then dead-letters the card", async () => {
    const day = Date.parse("2025-04-08T12:00:00Z");
    const { channel } = await createChannel(
      t.db,
      { kind: "teams", name: "Broken workflow", url: `${receiver.url}/down` },
      CONTEXT,
    );
    const rule = await firstPassRule(t.db, [channel.id], { entity: "TEAMS-DOWN" });
    await ingest(t.db, postings(1, "failed", new Date(day - HOUR), "TEAMS-DOWN"));
    await evaluateAlerts(t.db, new Date(day));
    // FAST: two waits (40 ms, 80 ms), so three attempts in all.
    expect(await dispatchDue(t.db, FAST)).toMatchObject({ retrying: 1 });
    await sleep(60);
    expect(await dispatchDue(t.db, FAST)).toMatchObject({ retrying: 1 });
    await sleep(120);
    expect(await dispatchDue(t.db, FAST)).toMatchObject({ dead: 1 });

    const [command] = await commandsToChannel(t.db, channel.id);
    expect(command).toMatchObject({ status: "dead", kind: "alert.firing" });
    const log = await deliveriesOf(t.db, command!.id);
    expect(log.map((d) => d.httpStatus)).toEqual([503, 503, 503]);
    expect(receiver.bodies<Card>("/down")).toHaveLength(3);
    await deleteRule(t.db, rule.id, CONTEXT);
  });
  it("sends the alerts that start within the group window as one card", async () => {
    const day = Date.parse("2025-04-09T12:00:00Z");
    const { channel } = await createChannel(
      t.db,
      { kind: "teams", name: "Grouped", url: `${receiver.url}/teams-group`, groupWindow: "PT1M" },
      CONTEXT,
    );
    expect(channel).toMatchObject({ groupWindow: "PT1M" });
    const rule = await firstPassRule(t.db, [channel.id], { entity: "*", severity: "warning" });
    const critical = await firstPassRule(t.db, [channel.id], { entity: "TEAMS-GRP-C" });
    await ingest(
      t.db,
      postings(2, "failed", new Date(day - HOUR), "TEAMS-GRP-A"),
      postings(2, "failed", new Date(day - HOUR), "TEAMS-GRP-B"),
      postings(2, "failed", new Date(day - HOUR), "TEAMS-GRP-C"),
    );
    await evaluateAlerts(t.db, new Date(day), { baseUrl: "https://closeline.test" });
    // The window (a minute after `day`) is long past: the held card is due now, and it is one.
    expect(await dispatchDue(t.db, FAST)).toMatchObject({ claimed: 1, delivered: 1 });
    const cards = receiver.bodies<GroupCard>("/teams-group");
    expect(cards).toHaveLength(1);
    const content = cards[0]!.attachments[0]!.content;
    expect(content.version).toBe("1.4");
    const [headline, ...sections] = content.body;
    // The per-entity rule fires for A, B and C; the critical rule for C: four alerts.
    expect(headline).toMatchObject({ text: "[critical] 4 alerts firing", color: "attention" });
    expect(sections).toHaveLength(4);
    for (const section of sections) {
      expect(section).toMatchObject({ type: "Container", separator: true });
      const [summary, facts, links] = section.items;
      expect(summary.text).toMatch(
        /^Firing \[(warning|critical)\] First pass .* \(TEAMS-GRP-[ABC]\)/,
      );
      expect(facts.type).toBe("FactSet");
      expect(Object.fromEntries(facts.facts!.map((f) => [f.title, f.value]))).toMatchObject({
        State: "firing",
        Started: "2025-04-09 12:00 UTC",
      });
      expect(links.actions![0]).toMatchObject({
        type: "Action.OpenUrl",
        title: "Open in Closeline",
        url: expect.stringMatching(/^https:\/\/closeline\.test\/alerts#alert-/),
      });
    }
    const entities = sections.map((s) => /\((TEAMS-GRP-[ABC])\)/.exec(s.items[0].text!)![1]);
    expect(entities.sort()).toEqual(["TEAMS-GRP-A", "TEAMS-GRP-B", "TEAMS-GRP-C", "TEAMS-GRP-C"]);
    expect(content.actions).toEqual([
      {
        type: "Action.OpenUrl",
        title: "Open the Alerts page",
        url: "https://closeline.test/alerts",
      },
    ]);
    const log = await commandsToChannel(t.db, channel.id);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ status: "delivered", kind: "alert.firing" });
    await deleteRule(t.db, rule.id, CONTEXT);
    await deleteRule(t.db, critical.id, CONTEXT);
  });
});
