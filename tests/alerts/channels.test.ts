import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Webhook } from "standardwebhooks";
import { createChannel, deactivateChannel } from "@/lib/alerts/channels";
import { evaluateAlerts } from "@/lib/alerts/evaluate";
import { deleteRule } from "@/lib/alerts/rules";
import { requeueDead } from "@/lib/outbox/enqueue";
import { dispatchDue } from "@/lib/outbox/dispatcher";
import { testDbForSuite } from "../support/db";
import { ingest } from "../kpi/support";
import { FAST, deliveriesOf } from "../outbox/support";
import { CONTEXT, commandsToChannel, firstPassRule, postings, webhookChannel } from "./support";

/*
 * Channels on the wire: a Slack channel gets a Block Kit message; a webhook channel's
 * notice is signed with that channel's own secret (and no other); a notice to a deactivated
 * channel dead-letters with the reason and goes back to the same channel when re-sent.
 */

const t = testDbForSuite();
let server: http.Server;
let url: string;
const received: { path: string; headers: http.IncomingHttpHeaders; body: string }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({
        path: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      });
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
});

describe("alert channels on the wire", () => {
  it("sends Slack Block Kit to a slack channel and a signed notice to each webhook channel", async () => {
    const slack = await createChannel(
      t.db,
      { kind: "slack", name: "#alerts", url: `${url}/slack` },
      CONTEXT,
    );
    expect(slack.secret).toBeNull();
    const a = await webhookChannel(t.db, `${url}/a`);
    const b = await webhookChannel(t.db, `${url}/b`);
    const rule = await firstPassRule(t.db, [slack.channel.id, a.channel.id, b.channel.id]);
    await ingest(t.db, postings(2, "failed", new Date()));
    await evaluateAlerts(t.db, new Date(), { baseUrl: "https://closeline.test" });
    expect((await dispatchDue(t.db, FAST)).delivered).toBe(3);

    const at = (path: string) => received.find((r) => r.path === path)!;
    const message = JSON.parse(at("/slack").body) as { text: string; blocks: { type: string }[] };
    expect(message.text).toContain("Firing [critical]");
    expect(message.text).toContain(rule.name);
    expect(message.blocks.map((block) => block.type)).toEqual(["section", "context"]);
    expect(JSON.stringify(message.blocks)).toContain("https://closeline.test/alerts#alert-");

    for (const [path, own, other] of [
      ["/a", a.secret!, b.secret!],
      ["/b", b.secret!, a.secret!],
    ] as const) {
      const { body, headers } = at(path);
      const signed = {
        "webhook-id": String(headers["webhook-id"]),
        "webhook-timestamp": String(headers["webhook-timestamp"]),
        "webhook-signature": String(headers["webhook-signature"]),
      };
      expect(new Webhook(own).verify(body, signed)).toMatchObject({ type: "alert.firing" });
      expect(() => new Webhook(other).verify(body, signed)).toThrow();
    }
    await deleteRule(t.db, rule.id, CONTEXT);
  });

  it("dead-letters a notice to a deactivated channel, and re-sends it to that channel", async () => {
    const { channel } = await webhookChannel(t.db, `${url}/gone`);
    const rule = await firstPassRule(t.db, [channel.id], { entity: "GONE" });
    await ingest(t.db, postings(2, "failed", new Date(), "GONE"));
    await evaluateAlerts(t.db);
    await deactivateChannel(t.db, channel.id, CONTEXT);
    await dispatchDue(t.db, FAST);
    const [command] = await commandsToChannel(t.db, channel.id);
    expect(command).toMatchObject({ status: "dead", lastError: "alert channel deactivated" });
    const log = await deliveriesOf(t.db, command!.id);
    expect(log.map((d) => d.error)).toEqual(["alert channel deactivated"]);

    const requeued = await requeueDead(t.db, command!.id);
    expect(requeued).toMatchObject({
      status: "pending",
      alertChannelId: channel.id,
      endpointId: null,
    });
    await deleteRule(t.db, rule.id, CONTEXT);
  });
});
