import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { auditLog } from "@/db/schema";
import type * as EnvModule from "@/lib/env";
import { SYSTEM_ACTOR } from "@/lib/audit";
import { createChannel } from "@/lib/alerts/channels";
import { handleDigestCollection, handleDigestItem } from "@/lib/digests/http";
import { testDbForSuite } from "../support/db";
import { usersByRole } from "../support/signed-in";

/*
 * The digest API through the handlers its routes use, as users of each role: anyone signed
 * in subscribes their own address, a digest to a channel needs alerts:manage and never goes
 * to PagerDuty, one person cannot see or touch another's digests, and every write is
 * audited. Outside Next.js there is no session cookie, so the session lookup answers with
 * the user the test signs in as; the install has an SMTP server configured.
 */

const t = testDbForSuite();
const { users, as } = usersByRole(t);
const CONTEXT = { userId: null, actor: SYSTEM_ACTOR, smtpUrl: "smtp://127.0.0.1:9" };

vi.mock("next-auth", async () => (await import("../support/signed-in")).withSession());
vi.mock("@/db", async () => (await import("../support/signed-in")).withDb(() => t.db));
vi.mock("@/lib/env", async (importOriginal) => {
  const actual = await importOriginal<typeof EnvModule>();
  return { ...actual, env: { ...actual.env, SMTP_URL: "smtp://127.0.0.1:9" } };
});

// The answers are read loosely: each assertion names the field it checks.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers under test
type Body = Record<string, any>;

async function call(method: string, id: string | null, body?: unknown) {
  const path = id === null ? "/api/v1/digests" : `/api/v1/digests/${id}`;
  const request = new Request(`http://closeline.test${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const response =
    id === null
      ? await handleDigestCollection(t.db, request)
      : await handleDigestItem(t.db, request, id);
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Body) : null };
}

const MONDAYS_IN_BERLIN = {
  cadence: "weekly",
  weekday: "monday",
  time: "08:00",
  timeZone: "Europe/Berlin",
};

async function auditActions(id: string): Promise<string[]> {
  const rows = await t.db
    .select({ action: auditLog.action })
    .from(auditLog)
    .where(and(eq(auditLog.targetType, "digest"), eq(auditLog.targetId, id)))
    .orderBy(auditLog.id);
  return rows.map((r) => r.action);
}

describe("one's own digests", () => {
  it("lets an executive subscribe their own address, change it and unsubscribe, audited", async () => {
    as(null);
    expect((await call("POST", null, MONDAYS_IN_BERLIN)).status).toBe(401);

    as("executive");
    const created = await call("POST", null, MONDAYS_IN_BERLIN);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      target: { kind: "email", address: users.executive!.email },
      cadence: "weekly",
      weekday: "monday",
      time: "08:00",
      timeZone: "Europe/Berlin",
      entity: null,
      enabled: true,
    });
    // The next one is a Monday at 08:00 in Berlin: 07:00 UTC in winter.
    const next = new Date(created.body!.nextSendAt as string);
    expect(next.getTime()).toBeGreaterThan(Date.now());
    expect(next.getUTCDay()).toBe(1);
    expect(next.toISOString().slice(11, 16)).toMatch(/^0[67]:00$/);
    const id = created.body!.id as string;

    const listed = await call("GET", null);
    expect(listed.body!.data.map((d: Body) => d.id)).toContain(id);

    const changed = await call("PATCH", id, { cadence: "daily", time: "07:30" });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ cadence: "daily", weekday: null, time: "07:30" });

    expect((await call("DELETE", id)).status).toBe(204);
    expect((await call("GET", id)).status).toBe(404);
    expect((await call("GET", null)).body!.data.map((d: Body) => d.id)).not.toContain(id);
    expect(await auditActions(id)).toEqual(["digest.created", "digest.updated", "digest.deleted"]);
  });

  it("refuses a digest with a zone, time or weekday that does not make sense", async () => {
    as("operations");
    for (const body of [
      { ...MONDAYS_IN_BERLIN, timeZone: "Mars/Olympus_Mons" },
      { ...MONDAYS_IN_BERLIN, timeZone: "CET" },
      { ...MONDAYS_IN_BERLIN, time: "24:00" },
      { ...MONDAYS_IN_BERLIN, weekday: null },
      { ...MONDAYS_IN_BERLIN, cadence: "daily" },
      { ...MONDAYS_IN_BERLIN, extra: 1 },
    ]) {
      const refused = await call("POST", null, body);
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(refused.body!.error.message).toMatch(/^Invalid digest/);
    }
  });

  it("never shows, changes or deletes another person's digest", async () => {
    as("finance");
    const theirs = await call("POST", null, { ...MONDAYS_IN_BERLIN, entity: "ACME-US" });
    expect(theirs.status).toBe(201);
    const id = theirs.body!.id as string;

    as("admin");
    expect((await call("GET", id)).status).toBe(404);
    expect((await call("PATCH", id, { enabled: false })).status).toBe(404);
    expect((await call("DELETE", id)).status).toBe(404);
    expect((await call("GET", null)).body!.data.map((d: Body) => d.id)).not.toContain(id);

    as("finance");
    expect((await call("GET", id)).body).toMatchObject({ id, enabled: true, entity: "ACME-US" });
  });
});

describe("digests to alert channels", () => {
  it("needs alerts:manage: operations and executives get 403, finance may", async () => {
    const { channel } = await createChannel(
      t.db,
      { kind: "slack", name: `Finance ${randomUUID()}`, url: "https://hooks.slack.test/x" },
      CONTEXT,
    );
    for (const role of ["operations", "executive"] as const) {
      as(role);
      const refused = await call("POST", null, { ...MONDAYS_IN_BERLIN, channelId: channel.id });
      expect(refused.status).toBe(403);
      expect(refused.body!.error.message).toContain("alerts:manage");
    }
    as("finance");
    const created = await call("POST", null, { ...MONDAYS_IN_BERLIN, channelId: channel.id });
    expect(created.status).toBe(201);
    expect(created.body!.target).toMatchObject({
      kind: "channel",
      id: channel.id,
      channelKind: "slack",
    });

    // Nor may a person without it move their own digest onto a channel.
    as("operations");
    const own = await call("POST", null, MONDAYS_IN_BERLIN);
    expect(own.status).toBe(201);
    const moved = await call("PATCH", own.body!.id as string, { channelId: channel.id });
    expect(moved.status).toBe(403);
    expect((await call("GET", own.body!.id as string)).body!.target.kind).toBe("email");
  });

  it("refuses a PagerDuty channel, and one that is inactive or unknown, with a 400", async () => {
    const { channel: pager } = await createChannel(
      t.db,
      {
        kind: "pagerduty",
        name: `Pager ${randomUUID()}`,
        routingKey: "0123456789abcdef0123456789abcdef",
      },
      CONTEXT,
    );
    as("admin");
    const refused = await call("POST", null, { ...MONDAYS_IN_BERLIN, channelId: pager.id });
    expect(refused.status).toBe(400);
    expect(refused.body!.error.message).toContain("pagerduty channel");
    const unknown = await call("POST", null, { ...MONDAYS_IN_BERLIN, channelId: randomUUID() });
    expect(unknown.status).toBe(400);
    expect(unknown.body!.error.message).toContain("does not exist or is inactive");
  });
});
