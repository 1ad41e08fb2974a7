import { createHash } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { apiKeys, auditLog, events } from "@/db/schema";
import { SYSTEM_ACTOR } from "@/lib/audit";
import { authenticateApiKey, createApiKey, hashApiKey, revokeApiKey } from "@/lib/auth/api-keys";
import { NotFound } from "@/lib/errors";
import { testDbForSuite } from "../support/db";
import { EVENTS_URL, getEvents, makeEvent, makeKey, postEvents, type ErrorAnswer } from "./support";

/*
 * Keys are stored as a SHA-256 hash only, shown once, recorded on every event they send,
 * and stop working the moment they are revoked.
 */

const t = testDbForSuite();

describe("API key storage", () => {
  it("stores the SHA-256 of the key, never the key", async () => {
    const created = await createApiKey(
      t.db,
      { name: "hash check", scopes: ["ingest", "read"] },
      SYSTEM_ACTOR,
    );
    expect(created.key).toMatch(/^cl_[A-Za-z0-9_-]{43}$/);
    expect(created.prefix).toBe(created.key.slice(0, 10));

    const [row] = await t.db.select().from(apiKeys).where(eq(apiKeys.id, created.id));
    const expected = createHash("sha256").update(created.key).digest("hex");
    expect(row?.keyHash).toBe(expected);
    expect(hashApiKey(created.key)).toBe(expected);
    expect(row?.keyHash).not.toContain(created.key);
    // Nothing in the row gives the secret away; the prefix is all that is shown in lists.
    expect(JSON.stringify(row)).not.toContain(created.key);
    expect(row).toMatchObject({ name: "hash check", scopes: ["ingest", "read"], revokedAt: null });
  });

  it("gives every key a different secret", async () => {
    const keys = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        createApiKey(t.db, { name: `distinct ${i}`, scopes: ["read"] }, SYSTEM_ACTOR),
      ),
    );
    expect(new Set(keys.map((k) => k.key)).size).toBe(5);
  });

  it("never writes the key to the audit log", async () => {
    const created = await makeKey(t.db, ["ingest"], "audited");
    const entries = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "api_key.created"), eq(auditLog.targetId, created.id)));
    expect(entries).toHaveLength(1);
    expect(JSON.stringify(entries)).not.toContain(created.key);
  });

  it("accepts only the exact key", async () => {
    const created = await makeKey(t.db, ["ingest"]);
    const event = makeEvent("invoice.disputed");
    for (const wrong of [created.key.slice(0, -1), `${created.key}x`, created.key.toUpperCase()]) {
      expect((await postEvents(t.db, event, { key: wrong })).status).toBe(401);
    }
    expect((await postEvents(t.db, event, { key: created.key })).status).toBe(200);
  });

  it("records the key on every event it sends and when it was last used", async () => {
    const created = await makeKey(t.db, ["ingest"]);
    const batch = [makeEvent("invoice.disputed"), makeEvent("payment.received")];
    await postEvents(t.db, batch, { key: created.key });
    const stored = await t.db
      .select({ apiKeyId: events.apiKeyId })
      .from(events)
      .where(eq(events.apiKeyId, created.id));
    expect(stored).toHaveLength(2);
    const [row] = await t.db.select().from(apiKeys).where(eq(apiKeys.id, created.id));
    expect(row?.lastUsedAt).toBeInstanceOf(Date);
  });
});

describe("API key revocation", () => {
  it("refuses a revoked key with 401 for ingest and read, and keeps what it sent", async () => {
    const created = await makeKey(t.db, ["ingest", "read"], "to revoke");
    const before = makeEvent("invoice.disputed");
    expect((await postEvents(t.db, before, { key: created.key })).body).toMatchObject({
      accepted: 1,
    });

    await revokeApiKey(t.db, created.id, SYSTEM_ACTOR);

    const after = makeEvent("invoice.disputed");
    const res = await postEvents<ErrorAnswer>(t.db, after, { key: created.key });
    expect(res.status).toBe(401);
    expect(res.body.error.message).toBe("The API key is unknown or revoked");
    expect((await getEvents(t.db, {}, created.key)).status).toBe(401);

    expect(await t.db.select().from(events).where(eq(events.eventId, after.id))).toEqual([]);
    // Events sent while the key was valid stay, still attributed to it.
    const [kept] = await t.db.select().from(events).where(eq(events.eventId, before.id));
    expect(kept?.apiKeyId).toBe(created.id);

    const [row] = await t.db.select().from(apiKeys).where(eq(apiKeys.id, created.id));
    expect(row?.revokedAt).toBeInstanceOf(Date);
    const audit = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "api_key.revoked"), eq(auditLog.targetId, created.id)));
    expect(audit).toHaveLength(1);
  });

  it("does not affect other keys", async () => {
    const revoked = await makeKey(t.db, ["ingest"]);
    const other = await makeKey(t.db, ["ingest"]);
    await revokeApiKey(t.db, revoked.id, SYSTEM_ACTOR);
    expect((await postEvents(t.db, makeEvent("invoice.disputed"), { key: other.key })).status).toBe(
      200,
    );
  });

  it("refuses to revoke a key twice or one that does not exist", async () => {
    const created = await makeKey(t.db, ["read"]);
    await revokeApiKey(t.db, created.id, SYSTEM_ACTOR);
    await expect(revokeApiKey(t.db, created.id, SYSTEM_ACTOR)).rejects.toBeInstanceOf(NotFound);
    await expect(
      revokeApiKey(t.db, "00000000-0000-4000-8000-000000000000", SYSTEM_ACTOR),
    ).rejects.toBeInstanceOf(NotFound);
  });
});

describe("API key scopes", () => {
  it("checks the scope the action needs: 403, not 401, for a valid key without it", async () => {
    const reader = await makeKey(t.db, ["read"]);
    const writer = await makeKey(t.db, ["ingest"]);
    const request = (key: string) =>
      new Request(EVENTS_URL, { headers: { authorization: `Bearer ${key}` } });
    await expect(authenticateApiKey(t.db, request(reader.key), "read")).resolves.toMatchObject({
      id: reader.id,
      scopes: ["read"],
    });
    await expect(authenticateApiKey(t.db, request(writer.key), "read")).rejects.toMatchObject({
      status: 403,
    });
    await expect(authenticateApiKey(t.db, request(reader.key), "ingest")).rejects.toMatchObject({
      status: 403,
    });
  });
});
