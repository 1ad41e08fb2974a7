import "server-only";
import { and, desc, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { Db } from "../client";
import { firstOrNull } from "../rows";
import { apiKeys, users, type ApiKeyScope } from "../schema";

/** Stores a service key or (with userId) a personal token; returns its id. */
export async function insertApiKey(
  db: Db,
  values: {
    name: string;
    prefix: string;
    keyHash: string;
    scopes: ApiKeyScope[];
    userId?: string;
    expiresAt?: Date | null;
    createdBy?: string | null;
  },
): Promise<string> {
  const [row] = await db.insert(apiKeys).values(values).returning({ id: apiKeys.id });
  return row!.id;
}

/** Revokes a live service key (not a personal token); null when there is none with that id. */
export async function revokeServiceKey(db: Db, id: string) {
  return firstOrNull(
    db
      .update(apiKeys)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt), isNull(apiKeys.userId)))
      .returning({ id: apiKeys.id, name: apiKeys.name, prefix: apiKeys.prefix }),
  );
}

/** Every service key, newest first, revoked ones included. */
export async function listServiceKeys(db: Db) {
  return db
    .select({
      id: apiKeys.id,
      name: apiKeys.name,
      prefix: apiKeys.prefix,
      scopes: apiKeys.scopes,
      createdAt: apiKeys.createdAt,
      lastUsedAt: apiKeys.lastUsedAt,
      revokedAt: apiKeys.revokedAt,
    })
    .from(apiKeys)
    .where(isNull(apiKeys.userId))
    .orderBy(desc(apiKeys.createdAt));
}

/**
 * The unrevoked key with this hash and, for a personal token, its user; `expired` by the
 * database's clock.
 */
export async function findLiveKeyByHash(db: Db, keyHash: string) {
  return firstOrNull(
    db
      .select({
        id: apiKeys.id,
        name: apiKeys.name,
        scopes: apiKeys.scopes,
        userId: apiKeys.userId,
        email: users.email,
        userName: users.name,
        role: users.role,
        active: users.active,
        expired: sql<boolean>`coalesce(${apiKeys.expiresAt} <= now(), false)`,
      })
      .from(apiKeys)
      .leftJoin(users, eq(users.id, apiKeys.userId))
      .where(and(eq(apiKeys.keyHash, keyHash), isNull(apiKeys.revokedAt)))
      .limit(1),
  );
}

/** One user's personal tokens, or everyone's when userId is null; newest first. */
export async function listPersonalTokenRows(db: Db, userId: string | null) {
  return db
    .select({
      id: apiKeys.id,
      name: apiKeys.name,
      prefix: apiKeys.prefix,
      userId: apiKeys.userId,
      userEmail: users.email,
      createdAt: apiKeys.createdAt,
      expiresAt: apiKeys.expiresAt,
      expired: sql<boolean>`coalesce(${apiKeys.expiresAt} <= now(), false)`,
      lastUsedAt: apiKeys.lastUsedAt,
      revokedAt: apiKeys.revokedAt,
    })
    .from(apiKeys)
    .innerJoin(users, eq(users.id, apiKeys.userId))
    .where(userId ? eq(apiKeys.userId, userId) : undefined)
    .orderBy(desc(apiKeys.createdAt));
}

/**
 * Revokes a live personal token; with `ownerId`, only if it is that user's. Null when there
 * is no such token.
 */
export async function revokePersonalTokenRow(db: Db, id: string, ownerId?: string) {
  return firstOrNull(
    db
      .update(apiKeys)
      .set({ revokedAt: sql`now()` })
      .where(
        and(
          eq(apiKeys.id, id),
          sql`${apiKeys.userId} is not null`,
          isNull(apiKeys.revokedAt),
          ownerId === undefined ? undefined : eq(apiKeys.userId, ownerId),
        ),
      )
      .returning({ id: apiKeys.id, name: apiKeys.name, userId: apiKeys.userId }),
  );
}

/** Revokes every live token of a user; returns how many. */
export async function revokeLiveTokensOfUser(db: Db, userId: string): Promise<number> {
  const rows = await db
    .update(apiKeys)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id });
  return rows.length;
}

/**
 * Records use at most once a minute per key: a write per request would make every concurrent
 * batch of one key queue on the same row.
 */
export async function touchKeyLastUsed(db: Db, id: string): Promise<void> {
  await db
    .update(apiKeys)
    .set({ lastUsedAt: sql`now()` })
    .where(
      and(
        eq(apiKeys.id, id),
        or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, sql`now() - interval '1 minute'`)),
      ),
    );
}

/** The newest key of this name created by the system (no creator), as the demo keeps one. */
export async function findSystemKeyByName(db: Db, name: string) {
  return firstOrNull(
    db
      .select({ id: apiKeys.id, prefix: apiKeys.prefix, keyHash: apiKeys.keyHash })
      .from(apiKeys)
      .where(and(eq(apiKeys.name, name), isNull(apiKeys.createdBy)))
      .orderBy(desc(apiKeys.createdAt))
      .limit(1),
  );
}

/** Gives a key a new secret and scopes and makes it live again. */
export async function replaceKeySecret(
  db: Db,
  id: string,
  values: { keyHash: string; prefix: string; scopes: ApiKeyScope[] },
): Promise<void> {
  await db
    .update(apiKeys)
    .set({ ...values, revokedAt: null })
    .where(eq(apiKeys.id, id));
}
