import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { apiKeys, auditLog } from "@/db/schema";
import { SYSTEM_ACTOR } from "@/lib/audit";
import {
  authenticateBearer,
  createApiKey,
  createPersonalToken,
  listApiKeys,
  listPersonalTokens,
  parseScopes,
  revokePersonalToken,
} from "@/lib/auth/api-keys";
import { guardApi } from "@/lib/auth/session";
import { deactivateUser } from "@/lib/auth/users";
import { Forbidden, NotFound, Unauthenticated } from "@/lib/errors";
import { bearer, lastLine, runOn } from "../cli/support";
import { makeUser } from "../exceptions/support";
import { testDbForSuite } from "../support/db";

/*
 * Personal tokens act as their user with the user's role; service keys act with their
 * scopes. Both are bearer credentials checked by guardApi against a route's rule.
 */

// No cookie outside Next.js: a request without a bearer credential has no session.
vi.mock("next-auth", async () => (await import("../support/no-session")).withoutSession());

const t = testDbForSuite();

const token = async (userId: string, name = "script", expiresAt: Date | null = null) =>
  (await createPersonalToken(t.db, { userId, name, expiresAt }, SYSTEM_ACTOR)).key;

describe("personal tokens", () => {
  it("act as their user with the user's role, and keep only a hash", async () => {
    const finance = await makeUser(t.db, "finance");
    const key = await token(finance.id, "nightly");
    const credential = await authenticateBearer(t.db, bearer(key));
    expect(credential).toMatchObject({
      kind: "person",
      token: { name: "nightly" },
      user: { id: finance.id, email: finance.email, role: "finance" },
    });
    const stored = await t.db.select().from(apiKeys).where(eq(apiKeys.userId, finance.id));
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(key);

    const principal = await guardApi(t.db, bearer(key), "GET /api/v1/exceptions");
    expect(principal).toMatchObject({
      kind: "user",
      user: { id: finance.id },
      viaToken: "nightly",
    });
    // Finance reads close readiness; the token carries that, and no scope is involved.
    await expect(guardApi(t.db, bearer(key), "GET /api/v1/close-readiness")).resolves.toMatchObject(
      { kind: "user" },
    );
  });

  it("are refused what the user's role may not do, naming the permission (403)", async () => {
    const ops = await makeUser(t.db, "operations");
    const key = await token(ops.id);
    const refusal = guardApi(t.db, bearer(key), "GET /api/v1/kpis");
    await expect(refusal).rejects.toBeInstanceOf(Forbidden);
    await expect(refusal).rejects.toThrow(/operations.*'kpis:read'/);
    // Ingestion takes a service key only.
    await expect(guardApi(t.db, bearer(key), "POST /api/v1/events")).rejects.toThrow(
      /service key with the 'ingest' scope, not a personal token/,
    );
  });

  it("stop working when expired, revoked, or when their user is deactivated (401)", async () => {
    const user = await makeUser(t.db, "operations");
    const expiring = await token(user.id, "soon", new Date(Date.now() + 60_000));
    await t.db
      .update(apiKeys)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(eq(apiKeys.name, "soon"));
    await expect(authenticateBearer(t.db, bearer(expiring))).rejects.toBeInstanceOf(
      Unauthenticated,
    );

    const a = await token(user.id, "a");
    const b = await token(user.id, "b");
    const [tokenA] = (await listPersonalTokens(t.db, user.id)).filter((x) => x.name === "a");
    await revokePersonalToken(t.db, tokenA!.id, user, SYSTEM_ACTOR);
    await expect(authenticateBearer(t.db, bearer(a))).rejects.toBeInstanceOf(Unauthenticated);
    await expect(authenticateBearer(t.db, bearer(b))).resolves.toMatchObject({ kind: "person" });

    await deactivateUser(t.db, { id: user.id }, SYSTEM_ACTOR);
    await expect(authenticateBearer(t.db, bearer(b))).rejects.toBeInstanceOf(Unauthenticated);
    const left = await listPersonalTokens(t.db, user.id);
    expect(left.every((x) => x.revokedAt !== null)).toBe(true);
    const [entry] = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "user.deactivated"), eq(auditLog.targetId, user.id)));
    expect(entry?.after).toMatchObject({ tokensRevoked: 2 });
  });

  it("are revoked by their owner or an admin; to anyone else they do not exist", async () => {
    const owner = await makeUser(t.db, "finance");
    const other = await makeUser(t.db, "finance");
    const admin = await makeUser(t.db, "admin");
    await token(owner.id, "mine");
    const [mine] = await listPersonalTokens(t.db, owner.id);
    await expect(revokePersonalToken(t.db, mine!.id, other, SYSTEM_ACTOR)).rejects.toBeInstanceOf(
      NotFound,
    );
    await revokePersonalToken(t.db, mine!.id, admin, SYSTEM_ACTOR);
    expect(
      (await listPersonalTokens(t.db, null)).find((x) => x.id === mine!.id)?.revokedAt,
    ).not.toBe(null);
  });

  it("are apart from service keys in every list", async () => {
    const user = await makeUser(t.db, "finance");
    await token(user.id, "not a service key");
    expect((await listApiKeys(t.db)).map((k) => k.name)).not.toContain("not a service key");
  });

  it("are created by the CLI for a user, the token alone on the last line", async () => {
    const user = await makeUser(t.db, "finance");
    const result = await runOn(t.db, [
      "api-key",
      "create",
      "--name",
      "from cli",
      "--user",
      user.email,
      "--expires-days",
      "30",
    ]);
    expect(result).toMatchObject({ exitCode: 0, stderr: [] });
    expect(result.stdout[0]).toContain(`for ${user.email}, acting with their role finance`);
    const credential = await authenticateBearer(t.db, bearer(lastLine(result)));
    expect(credential).toMatchObject({ kind: "person", user: { id: user.id } });
    const refused = await runOn(t.db, [
      "api-key",
      "create",
      "--name",
      "x",
      "--user",
      user.email,
      "--scopes",
      "read",
    ]);
    expect(refused.exitCode).toBe(2);
  });
});

describe("service keys", () => {
  it("take the work scope, and never stand for a person on a person-only route", async () => {
    expect(parseScopes("read,work")).toEqual(["read", "work"]);
    const { key } = await createApiKey(
      t.db,
      { name: "worker", scopes: parseScopes("work") },
      SYSTEM_ACTOR,
    );
    const credential = await authenticateBearer(t.db, bearer(key));
    expect(credential).toMatchObject({ kind: "service", key: { scopes: ["work"] } });
    await expect(guardApi(t.db, bearer(key), "GET /api/v1/exceptions")).rejects.toThrow(
      "The API key lacks the 'read' scope",
    );
  });
});
