import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { digests, exceptions, outboxCommands } from "@/db/schema";
import { SYSTEM_ACTOR } from "@/lib/audit";
import { createUser } from "@/lib/auth/users";
import type { DigestMessage } from "@/lib/contract/digests";
import { computeDigest } from "@/lib/digests/content";
import { createDigest, updateDigest } from "@/lib/digests/digests";
import { sendDueDigests } from "@/lib/digests/scheduler";
import { dispatchDue } from "@/lib/outbox/dispatcher";
import { ingest } from "../kpi/support";
import { FAST } from "../outbox/support";
import { createTestDb, type TestDb } from "../support/db";
import { startSmtpSink, type SmtpSink } from "../support/smtp";
import { postings, startReceiver, webhookChannel } from "../alerts/support";

/*
 * Digests end to end on a real database: what one says against seeded data (the five
 * largest open exceptions by amount, each in its own currency; a KPI's change against the
 * window before), one outbox message per digest and local day however many schedulers run,
 * and delivery to a real SMTP server (text and HTML parts) and to a signed webhook.
 */

let t: TestDb;
let smtp: SmtpSink;
const BASE = "https://closeline.test";

beforeAll(async () => {
  t = await createTestDb();
  smtp = await startSmtpSink();
});

afterAll(async () => {
  await smtp?.close();
  await t?.close();
});

async function user(role: "finance" | "executive" | "operations") {
  const email = `${role}-${randomUUID().slice(0, 8)}@example.test`;
  const created = await createUser(t.db, { email, name: `The ${role}`, role }, SYSTEM_ACTOR);
  return { id: created.id, role, email };
}

const context = (now: Date) => ({ actor: SYSTEM_ACTOR, smtpUrl: smtp.url, now });
const DAY_MS = 86_400_000;

async function commandsOf(digestId: string) {
  return t.db.select().from(outboxCommands).where(eq(outboxCommands.digestId, digestId));
}

describe("what a digest says", () => {
  it("lists the five largest open exceptions by amount, each in its own currency, and a KPI's change", async () => {
    const entity = `E-${randomUUID().slice(0, 8)}`;
    const open = (
      title: string,
      amountMinor: number | null,
      currency: string | null,
      status = "open",
    ) => ({
      type: "erp_posting_failed" as const,
      problemKey: randomUUID(),
      status: status as "open",
      title,
      entity,
      amountMinor,
      currency,
    });
    await t.db
      .insert(exceptions)
      .values([
        open("Small", 100, "USD"),
        open("Yen", 1_200_000, "JPY"),
        open("Five thousand <b>dollars</b>", 500_000, "USD"),
        open("Euro", 99_999, "EUR"),
        open("Pounds", 700, "GBP"),
        open("Quarter", 250_000, "USD"),
        open("No amount", null, null),
        open("Resolved huge", 900_000_000, "USD", "resolved"),
      ]);
    const now = new Date();
    // First pass: 3 of 4 this week, 4 of 4 the week before.
    await ingest(
      t.db,
      postings(3, "succeeded", new Date(now.getTime() - DAY_MS), entity),
      postings(1, "failed", new Date(now.getTime() - DAY_MS), entity),
      postings(4, "succeeded", new Date(now.getTime() - 10 * DAY_MS), entity),
    );

    const finance = await user("finance");
    const digest = await computeDigest(
      t.db,
      { id: randomUUID(), cadence: "weekly", entity, ownerRole: finance.role },
      { periodKey: now.toISOString().slice(0, 10), at: now },
      { now, baseUrl: BASE },
    );
    expect(digest.exceptions!.map((x) => [x.title, x.amount])).toEqual([
      ["Yen", "1,200,000 JPY"],
      ["Five thousand <b>dollars</b>", "5,000.00 USD"],
      ["Quarter", "2,500.00 USD"],
      ["Euro", "999.99 EUR"],
      ["Pounds", "7.00 GBP"],
    ]);
    expect(digest.exceptions![0]).toMatchObject({ amountMinor: 1_200_000, currency: "JPY" });
    const firstPass = digest.kpis!.find((k) => k.id === "erp-first-pass")!;
    expect(firstPass.value).toBe(0.75);
    expect(firstPass).toMatchObject({ change: "−25.00 pp", assessment: "worse" });
    expect(digest.close!.entities).toEqual([
      expect.objectContaining({ entity, verdict: expect.stringMatching(/^(go|no_go)$/) }),
    ]);
    expect(digest.alerts).toEqual([]);

    // An executive may not read the exception queue: the section is left out, not emptied.
    const executive = await computeDigest(
      t.db,
      { id: randomUUID(), cadence: "weekly", entity, ownerRole: "executive" },
      { periodKey: "2026-12-07", at: now },
      { now, baseUrl: BASE },
    );
    expect(executive.exceptions).toBeNull();
    expect(executive.kpis).not.toBeNull();
  });
});

describe("scheduling", () => {
  // Daily at 08:00 in New York, subscribed at 07:00 EST on 7 March 2026, the day before
  // clocks go forward: due at 13:00 UTC on the 7th and at 12:00 UTC on the 8th.
  const SCHEDULE = { cadence: "daily", time: "08:00", timeZone: "America/New_York" };

  it("queues one message per digest and local day, with two schedulers racing and after a restart", async () => {
    const owner = await user("operations");
    const digest = await createDigest(
      t.db,
      owner,
      SCHEDULE,
      context(new Date("2026-03-07T12:00:00Z")),
    );
    expect(digest.nextSendAt).not.toBeNull();

    expect(
      await sendDueDigests(t.db, new Date("2026-03-07T12:59:00Z"), { baseUrl: BASE }),
    ).not.toBeNull();
    expect(await commandsOf(digest.id)).toHaveLength(0);

    const at = new Date("2026-03-07T13:30:00Z");
    const rounds = await Promise.all([
      sendDueDigests(t.db, at, { baseUrl: BASE }),
      sendDueDigests(t.db, at, { baseUrl: BASE }),
    ]);
    expect(rounds.some((r) => r !== null)).toBe(true);
    expect((await commandsOf(digest.id)).map((c) => c.idempotencyKey)).toEqual([
      `digest:${digest.id}:2026-03-07`,
    ]);

    // A restart that lost what was queued still cannot queue the day again: the key holds.
    await t.db
      .update(digests)
      .set({ lastPeriodKey: "2026-03-06" })
      .where(eq(digests.id, digest.id));
    await sendDueDigests(t.db, new Date("2026-03-07T20:00:00Z"), { baseUrl: BASE });
    expect(await commandsOf(digest.id)).toHaveLength(1);

    // The next day, after clocks went forward, is due at 08:00 EDT: 12:00 UTC, not 13:00.
    await sendDueDigests(t.db, new Date("2026-03-08T11:59:00Z"), { baseUrl: BASE });
    expect(await commandsOf(digest.id)).toHaveLength(1);
    await sendDueDigests(t.db, new Date("2026-03-08T12:00:00Z"), { baseUrl: BASE });
    const keys = (await commandsOf(digest.id)).map((c) => c.idempotencyKey).sort();
    expect(keys).toEqual([`digest:${digest.id}:2026-03-07`, `digest:${digest.id}:2026-03-08`]);

    // Missed for three days: one message, for the latest day.
    await sendDueDigests(t.db, new Date("2026-03-11T18:00:00Z"), { baseUrl: BASE });
    await sendDueDigests(t.db, new Date("2026-03-11T18:01:00Z"), { baseUrl: BASE });
    expect((await commandsOf(digest.id)).map((c) => c.idempotencyKey).sort()).toEqual([
      ...keys,
      `digest:${digest.id}:2026-03-11`,
    ]);
  });

  it("sends nothing while paused, and nothing it missed once resumed", async () => {
    const owner = await user("operations");
    const digest = await createDigest(
      t.db,
      owner,
      { ...SCHEDULE, enabled: false },
      context(new Date("2026-03-07T12:00:00Z")),
    );
    await sendDueDigests(t.db, new Date("2026-03-07T13:30:00Z"), { baseUrl: BASE });
    expect(await commandsOf(digest.id)).toHaveLength(0);

    // Resumed on the 9th after 08:00: the 9th's is not owed; the 10th's is sent.
    const resumedAt = new Date("2026-03-09T15:00:00Z");
    await updateDigest(t.db, digest.id, owner, { enabled: true }, context(resumedAt));
    await sendDueDigests(t.db, resumedAt, { baseUrl: BASE });
    expect(await commandsOf(digest.id)).toHaveLength(0);
    await sendDueDigests(t.db, new Date("2026-03-10T12:00:00Z"), { baseUrl: BASE });
    expect((await commandsOf(digest.id)).map((c) => c.idempotencyKey)).toEqual([
      `digest:${digest.id}:2026-03-10`,
    ]);
  });
});

describe("delivery", () => {
  it("mails a digest to its owner's address with a text and an HTML part", async () => {
    const owner = await user("finance");
    const digest = await createDigest(
      t.db,
      owner,
      { cadence: "weekly", weekday: "monday", time: "08:00", timeZone: "Europe/Berlin" },
      context(new Date("2026-03-29T12:00:00Z")),
    );
    // Monday 30 March 08:00 CEST = 06:00 UTC.
    await sendDueDigests(t.db, new Date("2026-03-30T06:00:00Z"), { baseUrl: BASE });
    const [command] = await commandsOf(digest.id);
    expect(command).toMatchObject({ kind: "digest", alertChannelId: null });
    // Due now, like any outbox message queued at its time.
    await t.db
      .update(outboxCommands)
      .set({ nextAttemptAt: new Date() })
      .where(eq(outboxCommands.id, command!.id));

    smtp.received.length = 0;
    const summary = await dispatchDue(t.db, {
      ...FAST,
      smtpUrl: smtp.url,
      emailFrom: "Closeline <digests@closeline.test>",
    });
    expect(summary.delivered).toBeGreaterThanOrEqual(1);
    const mail = smtp.received.find((m) => m.envelopeTo.includes(owner.email));
    expect(mail).toBeDefined();
    expect(mail!.message.subject).toBe("Closeline weekly digest, 2026-03-30");
    const text = mail!.message.text ?? "";
    const html = String(mail!.message.html);
    for (const heading of [
      "Close readiness",
      "Headline KPIs against their targets",
      "Alerts firing: 0",
      "Largest open exceptions by amount",
    ]) {
      expect(text).toContain(heading);
      expect(html).toContain(heading);
    }
    // The seeded exception's title is escaped in the HTML part, plain in the text part.
    expect(text).toContain("Five thousand <b>dollars</b>");
    expect(html).toContain("Five thousand &lt;b&gt;dollars&lt;/b&gt;");
    expect(html).not.toContain("<b>dollars</b>");
    const [delivered] = await commandsOf(digest.id);
    expect(delivered!.status).toBe("delivered");
  });

  it("posts a digest to a webhook channel as {type: digest}, signed", async () => {
    const receiver = await startReceiver(() => 200);
    try {
      const finance = await user("finance");
      const { channel, secret } = await webhookChannel(t.db, `${receiver.url}/digest`);
      const digest = await createDigest(
        t.db,
        finance,
        { channelId: channel.id, cadence: "daily", time: "09:15", timeZone: "Europe/Berlin" },
        context(new Date("2026-12-01T07:00:00Z")),
      );
      await sendDueDigests(t.db, new Date("2026-12-01T08:15:00Z"), { baseUrl: BASE });
      const [command] = await commandsOf(digest.id);
      await t.db
        .update(outboxCommands)
        .set({ nextAttemptAt: new Date() })
        .where(eq(outboxCommands.id, command!.id));
      await dispatchDue(t.db, { ...FAST, smtpUrl: smtp.url });

      const [received] = receiver.received.filter((r) => r.path === "/digest");
      expect(received).toBeDefined();
      const signed = {
        "webhook-id": String(received!.headers["webhook-id"]),
        "webhook-timestamp": String(received!.headers["webhook-timestamp"]),
        "webhook-signature": String(received!.headers["webhook-signature"]),
      };
      const message = new Webhook(secret!).verify(received!.body, signed) as DigestMessage;
      expect(message.type).toBe("digest");
      expect(message.digest).toMatchObject({
        id: digest.id,
        cadence: "daily",
        periodKey: "2026-12-01",
      });
      expect(signed["webhook-id"]).toBe(command!.id);
    } finally {
      await receiver.close();
    }
  });
});
