import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { AddressObject } from "mailparser";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createChannel } from "@/lib/alerts/channels";
import { evaluateAlerts } from "@/lib/alerts/evaluate";
import { deleteRule } from "@/lib/alerts/rules";
import { env } from "@/lib/env";
import { dispatchDue, type DispatcherOptions } from "@/lib/outbox/dispatcher";
import { createTestDb, type TestDb } from "../support/db";
import { startSmtpSink, type SmtpSink } from "../support/smtp";
import { ingest } from "../kpi/support";
import { FAST, deliveriesOf, sleep } from "../outbox/support";
import { CONTEXT, commandsToChannel, firstPassRule, postings } from "./support";

/*
 * E-mail channels against a real SMTP server on a free local port: a firing and a resolved
 * notice each arrive once, with a text and an HTML part, to the channel's recipients, with
 * everything people typed escaped in the HTML; a 4xx reply is retried, a 5xx reply is dead
 * at once with the server's reason; and without SMTP_URL no e-mail channel can be created.
 */

let t: TestDb;
let smtp: SmtpSink;

/** What the server answers at RCPT TO: accept, or an SMTP reply code with its text. */
let answer: "accept" | { code: number; text: string } = "accept";

const USER = "closeline";
const PASSWORD = "s3cret";

beforeAll(async () => {
  t = await createTestDb();
  smtp = await startSmtpSink({
    credentials: { user: USER, password: PASSWORD },
    onRcptTo(_address, _session, callback) {
      if (answer === "accept") return callback();
      callback(Object.assign(new Error(answer.text), { responseCode: answer.code }));
    },
  });
});

afterAll(async () => {
  await smtp?.close();
  await t?.close();
});

beforeEach(() => {
  answer = "accept";
  smtp.received.length = 0;
});

const options = (): Partial<DispatcherOptions> => ({
  ...FAST,
  smtpUrl: smtp.url,
  emailFrom: "Closeline Alerts <alerts@closeline.test>",
});

async function emailChannel(to: string[]) {
  return createChannel(
    t.db,
    { kind: "email", name: `mail ${randomUUID()}`, to },
    { ...CONTEXT, smtpUrl: smtp.url },
  );
}

/** A new e-mail channel to one recipient, and a rule that has just fired to it (notice queued). */
async function firingOnNewChannel(recipient: string) {
  const { channel } = await emailChannel([recipient]);
  const entity = `E-${randomUUID().slice(0, 8)}`;
  const rule = await firstPassRule(t.db, [channel.id], { entity });
  await ingest(t.db, postings(2, "failed", new Date(Date.now() - 60_000), entity));
  await evaluateAlerts(t.db);
  return { channel, rule };
}

const commandsOf = (channelId: string) => commandsToChannel(t.db, channelId);

const addresses = (field: AddressObject | AddressObject[] | undefined) =>
  [field ?? []].flat().flatMap((a) => a.value.map((v) => v.address));

describe("e-mail alert channels over SMTP", () => {
  it("mails a firing and then a resolved notice, each once, with both parts, escaped", async () => {
    const to = ["oncall@example.test", "controller@example.test"];
    const { channel, secret } = await emailChannel(to);
    expect(secret).toBeNull();
    expect(channel).toMatchObject({ kind: "email", config: { to } });
    const entity = `ACME-US-${randomUUID().slice(0, 6)}`;
    const rule = await firstPassRule(t.db, [channel.id], {
      name: `First pass <b>below</b> 90 % & "more"`,
      entity,
    });

    // All in the recent past, so that later evaluations (at the real now) agree with these.
    const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000);
    await ingest(t.db, postings(2, "failed", minutesAgo(10), entity));
    await evaluateAlerts(t.db, minutesAgo(9), { baseUrl: "https://closeline.test" });
    expect(await dispatchDue(t.db, options())).toMatchObject({ claimed: 1, delivered: 1 });
    expect(await dispatchDue(t.db, options())).toMatchObject({ claimed: 0 });
    expect(smtp.received).toHaveLength(1);

    const firing = smtp.received[0]!;
    expect(firing.envelopeTo.sort()).toEqual([...to].sort());
    expect(addresses(firing.message.to).sort()).toEqual([...to].sort());
    expect(addresses(firing.message.from)).toEqual(["alerts@closeline.test"]);
    expect(firing.message.subject).toBe(
      `[CRITICAL] First pass <b>below</b> 90 % & "more" — firing (${entity})`,
    );
    const text = firing.message.text ?? "";
    const html = String(firing.message.html);
    expect(text).toContain(`Entity: ${entity}`);
    expect(text).toContain("Severity: critical");
    expect(text).toContain("Value: 0.0 % against a threshold of 90.0 %");
    expect(text).toMatch(/Started: \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(text).toMatch(/Open in Closeline: https:\/\/closeline\.test\/alerts#alert-[0-9a-f-]+/);
    expect(html).toContain("First pass &lt;b&gt;below&lt;/b&gt; 90 % &amp; &quot;more&quot;");
    expect(html).not.toContain("<b>below</b>");
    expect(html).toMatch(/<a href="https:\/\/closeline\.test\/alerts#alert-[0-9a-f-]+">/);
    expect(html).not.toContain("Resolved");
    const [firingCommand] = await commandsOf(channel.id);
    expect(firing.message.messageId).toBe(`<${firingCommand!.id}@closeline.alerts>`);

    await ingest(t.db, postings(40, "succeeded", minutesAgo(5), entity));
    await evaluateAlerts(t.db, new Date(), { baseUrl: "https://closeline.test" });
    expect(await dispatchDue(t.db, options())).toMatchObject({ claimed: 1, delivered: 1 });
    expect(await dispatchDue(t.db, options())).toMatchObject({ claimed: 0 });
    expect(smtp.received).toHaveLength(2);

    const resolved = smtp.received[1]!;
    expect(resolved.message.subject).toBe(
      `[CRITICAL] First pass <b>below</b> 90 % & "more" — resolved (${entity})`,
    );
    expect(resolved.message.text).toMatch(/Resolved: \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(String(resolved.message.html)).toContain("<th");
    expect(String(resolved.message.html)).toContain("Resolved");
    // Both notices of one alert thread together in a mail client.
    expect(resolved.message.references).toEqual(firing.message.references);
    expect(addresses(resolved.message.to).sort()).toEqual([...to].sort());

    const commands = await commandsOf(channel.id);
    expect(commands.map((c) => c.status)).toEqual(["delivered", "delivered"]);
    await deleteRule(t.db, rule.id, CONTEXT);
  });

  it("mails alerts that start within the group window as one message, resolved one by one", async () => {
    const { channel } = await createChannel(
      t.db,
      {
        kind: "email",
        name: `grouped ${randomUUID()}`,
        to: ["oncall@example.test"],
        groupWindow: "PT1M",
      },
      { ...CONTEXT, smtpUrl: smtp.url },
    );
    const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000);
    const entities = ["A", "B"].map((e) => `GRP-${e}-${randomUUID().slice(0, 6)}`);
    const rules = [
      await firstPassRule(t.db, [channel.id], { entity: entities[0], severity: "warning" }),
      await firstPassRule(t.db, [channel.id], { entity: entities[1], severity: "critical" }),
    ];
    for (const entity of entities) {
      await ingest(t.db, postings(2, "failed", minutesAgo(10), entity));
    }
    // Evaluated nine minutes ago: the one-minute window has ended by now.
    await evaluateAlerts(t.db, minutesAgo(9), { baseUrl: "https://closeline.test" });
    expect(await dispatchDue(t.db, options())).toMatchObject({ claimed: 1, delivered: 1 });
    expect(smtp.received).toHaveLength(1);
    const group = smtp.received[0]!.message;
    expect(group.subject).toBe("[CRITICAL] 2 alerts firing");
    for (const entity of entities) {
      expect(group.text).toContain(`Entity: ${entity}`);
      expect(String(group.html)).toContain(entity);
    }
    const alertIds = (await commandsOf(channel.id)).flatMap((c) =>
      (c.payload as { alerts: { id: string }[] }).alerts.map((a) => a.id),
    );
    expect(alertIds).toHaveLength(2);
    const references = [group.references ?? []].flat();
    expect(references.sort()).toEqual(
      alertIds.map((id) => `<alert-${id}@closeline.alerts>`).sort(),
    );

    for (const entity of entities) {
      await ingest(t.db, postings(40, "succeeded", minutesAgo(5), entity));
    }
    await evaluateAlerts(t.db, new Date(), { baseUrl: "https://closeline.test" });
    expect(await dispatchDue(t.db, options())).toMatchObject({ claimed: 2, delivered: 2 });
    expect(
      smtp.received
        .slice(1)
        .map((r) => r.message.subject)
        .sort(),
    ).toEqual(
      entities
        .map((e, i) => `[${i ? "CRITICAL" : "WARNING"}] ${rules[i]!.name} — resolved (${e})`)
        .sort(),
    );
    for (const rule of rules) await deleteRule(t.db, rule.id, CONTEXT);
  });

  it("retries after a 4xx reply and delivers once the server accepts", async () => {
    const { channel, rule } = await firingOnNewChannel("retry@example.test");

    answer = { code: 451, text: "4.3.0 Try again later" };
    expect(await dispatchDue(t.db, options())).toMatchObject({ claimed: 1, retrying: 1 });
    const [waiting] = await commandsOf(channel.id);
    expect(waiting).toMatchObject({ status: "pending" });
    expect(waiting!.lastError).toContain("451");
    expect(smtp.received).toHaveLength(0);

    answer = "accept";
    await sleep(100);
    expect(await dispatchDue(t.db, options())).toMatchObject({ claimed: 1, delivered: 1 });
    expect(smtp.received).toHaveLength(1);
    const log = await deliveriesOf(t.db, waiting!.id);
    expect(log.map((d) => d.attempt).sort()).toEqual([1, 2]);
    await deleteRule(t.db, rule.id, CONTEXT);
  });

  it("retries while the SMTP server cannot be reached, then delivers", async () => {
    const { channel, rule } = await firingOnNewChannel("unreachable@example.test");

    const closed = new SMTPServer({ disabledCommands: ["STARTTLS"], logger: false });
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.server.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const down = { ...options(), smtpUrl: `smtp://127.0.0.1:${port}` };
    expect(await dispatchDue(t.db, down)).toMatchObject({ claimed: 1, retrying: 1 });
    const [command] = await commandsOf(channel.id);
    expect(command).toMatchObject({ status: "pending" });
    expect(command!.lastError).toContain("ECONNREFUSED");

    await sleep(100);
    expect(await dispatchDue(t.db, options())).toMatchObject({ claimed: 1, delivered: 1 });
    expect(smtp.received.map((mail) => mail.envelopeTo)).toEqual([["unreachable@example.test"]]);
    await deleteRule(t.db, rule.id, CONTEXT);
  });

  it("dead-letters at once, with the server's reason, after a 5xx reply", async () => {
    const { channel, rule } = await firingOnNewChannel("nobody@example.test");

    answer = { code: 550, text: "5.1.1 No such mailbox here" };
    expect(await dispatchDue(t.db, options())).toMatchObject({ claimed: 1, dead: 1 });
    const [command] = await commandsOf(channel.id);
    expect(command).toMatchObject({ status: "dead", attempts: 1 });
    expect(command!.lastError).toBe("SMTP 550 5.1.1 No such mailbox here");
    expect(smtp.received).toHaveLength(0);
    await deleteRule(t.db, rule.id, CONTEXT);
  });

  it("refuses an e-mail channel when no SMTP server is configured, naming the setting", async () => {
    expect(env.SMTP_URL).toBeUndefined();
    await expect(
      createChannel(t.db, { kind: "email", name: "mail", to: ["a@example.test"] }, CONTEXT),
    ).rejects.toMatchObject({ status: 400, message: expect.stringContaining("SMTP_URL") });
  });

  it("validates recipients: at least one, at most twenty, each an address", async () => {
    for (const to of [
      [],
      ["not an address"],
      Array.from({ length: 21 }, (_, i) => `r${i}@x.test`),
    ]) {
      await expect(
        createChannel(t.db, { kind: "email", name: "mail", to }, { ...CONTEXT, smtpUrl: smtp.url }),
      ).rejects.toMatchObject({ status: 400 });
    }
  });
});
