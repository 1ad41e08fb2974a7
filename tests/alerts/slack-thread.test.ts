import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alertSlackThreads } from "@/db/schema";
import { acknowledgeAlert } from "@/lib/alerts/acknowledge";
import { createChannel, updateChannel } from "@/lib/alerts/channels";
import { alertDeliveries } from "@/lib/alerts/deliveries";
import { evaluateAlerts } from "@/lib/alerts/evaluate";
import { deleteRule } from "@/lib/alerts/rules";
import { dispatchDue } from "@/lib/outbox/dispatcher";
import { testDbForSuite } from "../support/db";
import { ingest } from "../kpi/support";
import { FAST, sleep } from "../outbox/support";
import {
  CONTEXT,
  alertingKit,
  firstPassRule,
  postings,
  startReceiver,
  storedSecret,
  type Received,
} from "./support";

/*
 * Slack with a bot token: the firing notice is posted with chat.postMessage, its `ts` kept,
 * and the alert's acknowledged and resolved notices reply in that thread. The receiver
 * answers as Slack's Web API does (200 with `ok`), and refuses a wrong token.
 */

const t = testDbForSuite();
const { alertsOf } = alertingKit(t);
const TOKEN = "xoxb-1234-5678-closelinetest";
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let posted = 0;

/** Slack's answers: a new ts per message; `not_in_channel` for channel C0MISSING. */
function slackAnswer(request: Received): string {
  if (request.headers.authorization !== `Bearer ${TOKEN}`) {
    return JSON.stringify({ ok: false, error: "invalid_auth" });
  }
  const body = JSON.parse(request.body) as { channel: string };
  if (body.channel === "C0MISSING") return JSON.stringify({ ok: false, error: "not_in_channel" });
  posted += 1;
  return JSON.stringify({ ok: true, channel: body.channel, ts: `1700000000.${posted}` });
}

beforeAll(async () => {
  receiver = await startReceiver(() => 200, slackAnswer);
});
afterAll(() => receiver?.close());

interface SlackPost {
  channel: string;
  text: string;
  thread_ts?: string;
}

const botChannel = (slackChannel: string, extra: Record<string, unknown> = {}) =>
  createChannel(
    t.db,
    {
      kind: "slack",
      name: `#alerts ${crypto.randomUUID()}`,
      botToken: TOKEN,
      slackChannel,
      apiUrl: `${receiver.url}/api`,
      ...extra,
    },
    CONTEXT,
  );

const postsTo = (slackChannel: string) =>
  receiver.bodies<SlackPost>("/api/chat.postMessage").filter((p) => p.channel === slackChannel);

describe("Slack with a bot token", () => {
  it("posts firing, then replies acknowledged and resolved in its thread", async () => {
    const { channel, secret } = await botChannel("C0THREAD1");
    expect(secret).toBeNull();
    expect(channel.config).toEqual({ slackChannel: "C0THREAD1", apiUrl: `${receiver.url}/api` });
    const stored = await storedSecret(t.db, channel.id);
    // Sealed at rest: the token is not readable in the row.
    expect(stored).toBeTruthy();
    expect(stored).not.toContain(TOKEN);

    const rule = await firstPassRule(t.db, [channel.id], { entity: "SLK" });
    await ingest(t.db, postings(2, "failed", new Date(), "SLK"));
    await evaluateAlerts(t.db);
    const [alert] = await alertsOf(rule.id);
    expect(await dispatchDue(t.db, FAST)).toMatchObject({ delivered: 1 });
    const [firing] = postsTo("C0THREAD1");
    expect(firing!.text).toContain("Firing [critical]");
    expect(firing!.thread_ts).toBeUndefined();
    const [thread] = await t.db
      .select()
      .from(alertSlackThreads)
      .where(eq(alertSlackThreads.alertId, alert!.id));
    expect(thread).toMatchObject({
      channelId: channel.id,
      ts: expect.stringMatching(/^1700000000\./),
    });

    await acknowledgeAlert(t.db, alert!.id, { comment: "on it" }, CONTEXT);
    expect(await dispatchDue(t.db, FAST)).toMatchObject({ delivered: 1 });
    await ingest(t.db, postings(40, "succeeded", new Date(), "SLK"));
    await evaluateAlerts(t.db);
    expect(await dispatchDue(t.db, FAST)).toMatchObject({ delivered: 1 });

    const posts = postsTo("C0THREAD1");
    expect(posts.map((p) => [p.text.split(" ")[0], p.thread_ts ?? null])).toEqual([
      ["Firing", null],
      ["Acknowledged", thread!.ts],
      ["Resolved", thread!.ts],
    ]);
    const log = await alertDeliveries(t.db, alert!.id);
    expect(log.map((d) => [d.transition, d.status])).toEqual([
      ["firing", "delivered"],
      ["acknowledged", "delivered"],
      ["resolved", "delivered"],
    ]);
    await deleteRule(t.db, rule.id, CONTEXT);
  });

  it("starts one thread for a group, and each alert of it resolves in that thread", async () => {
    const { channel } = await botChannel("C0GROUP01", { groupWindow: "PT1S" });
    const rule = await firstPassRule(t.db, [channel.id], { entity: "*" });
    await ingest(
      t.db,
      postings(2, "failed", new Date(), "GRP-A"),
      postings(2, "failed", new Date(), "GRP-B"),
    );
    await evaluateAlerts(t.db);
    await sleep(1_100);
    expect(await dispatchDue(t.db, FAST)).toMatchObject({ delivered: 1 });
    const [group] = postsTo("C0GROUP01");
    expect(group!.text).toBe("2 alerts firing");
    await ingest(
      t.db,
      postings(40, "succeeded", new Date(), "GRP-A"),
      postings(40, "succeeded", new Date(), "GRP-B"),
    );
    await evaluateAlerts(t.db);
    expect(await dispatchDue(t.db, FAST)).toMatchObject({ delivered: 2 });
    const threads = postsTo("C0GROUP01")
      .slice(1)
      .map((p) => p.thread_ts);
    const [first] = await t.db
      .select({ ts: alertSlackThreads.ts })
      .from(alertSlackThreads)
      .where(eq(alertSlackThreads.channelId, channel.id));
    expect(threads).toEqual([first!.ts, first!.ts]);
    await deleteRule(t.db, rule.id, CONTEXT);
  });

  it("dead-letters at once when Slack refuses for good, naming Slack's error", async () => {
    const { channel } = await botChannel("C0MISSING");
    const rule = await firstPassRule(t.db, [channel.id], { entity: "SLK-MISSING" });
    await ingest(t.db, postings(2, "failed", new Date(), "SLK-MISSING"));
    await evaluateAlerts(t.db);
    expect(await dispatchDue(t.db, FAST)).toMatchObject({ dead: 1 });
    const [alert] = await alertsOf(rule.id);
    const [delivery] = await alertDeliveries(t.db, alert!.id);
    expect(delivery).toMatchObject({ status: "dead", lastError: "Slack: not_in_channel" });
    expect(delivery!.attempts).toEqual([
      expect.objectContaining({ httpStatus: 200, ok: false, result: "Slack: not_in_channel" }),
    ]);
    await deleteRule(t.db, rule.id, CONTEXT);
  });

  it("validates the address, keeps the token on a change, and drops it for a webhook", async () => {
    await expect(
      createChannel(t.db, { kind: "slack", name: "x", slackChannel: "C0NOTOKEN" }, CONTEXT),
    ).rejects.toThrow(/botToken/);
    await expect(
      createChannel(t.db, { kind: "slack", name: "x", botToken: TOKEN }, CONTEXT),
    ).rejects.toThrow(/slackChannel/);
    await expect(
      botChannel("C0BOTH0001", { url: "https://hooks.slack.com/services/x" }),
    ).rejects.toThrow(/not both/);
    await expect(createChannel(t.db, { kind: "slack", name: "x" }, CONTEXT)).rejects.toThrow(/url/);

    const { channel } = await botChannel("C0CHANGE01");
    const renamed = await updateChannel(t.db, channel.id, { name: "#renamed" }, CONTEXT);
    expect(renamed.config.slackChannel).toBe("C0CHANGE01");
    const secretOf = () => storedSecret(t.db, channel.id);
    expect(await secretOf()).toBeTruthy();
    const moved = await updateChannel(
      t.db,
      channel.id,
      { url: "https://hooks.slack.com/services/T/B/C" },
      CONTEXT,
    );
    expect(moved.config).toEqual({ url: "https://hooks.slack.com/services/T/B/C" });
    expect(await secretOf()).toBeNull();
  });

  it("keeps the incoming webhook for a Slack channel without a bot token", async () => {
    const { channel } = await createChannel(
      t.db,
      { kind: "slack", name: "#hook", url: `${receiver.url}/hook` },
      CONTEXT,
    );
    const rule = await firstPassRule(t.db, [channel.id], { entity: "SLK-HOOK" });
    await ingest(t.db, postings(2, "failed", new Date(), "SLK-HOOK"));
    await evaluateAlerts(t.db);
    expect(await dispatchDue(t.db, FAST)).toMatchObject({ delivered: 1 });
    const [hooked] = receiver.bodies<Record<string, unknown>>("/hook");
    expect(hooked).toHaveProperty("blocks");
    expect(hooked).not.toHaveProperty("channel");
    expect(hooked).not.toHaveProperty("thread_ts");
    await deleteRule(t.db, rule.id, CONTEXT);
  });
});
