import "server-only";
import { and, eq, lt, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { firstOrNull } from "@/db/rows";
import { idempotencyKeys } from "@/db/schema";

export type IdempotencyRecord = typeof idempotencyKeys.$inferSelect;

/**
 * Claims (owner, key) for a request. Answers null when this call claimed it, else the row
 * already there. A claim older than `ttlHours` is dropped first, so an old key starts over.
 */
export async function claimIdempotencyKey(
  db: Db,
  claim: { owner: string; key: string; requestHash: string; ttlHours: number },
): Promise<IdempotencyRecord | null> {
  await db
    .delete(idempotencyKeys)
    .where(
      and(
        eq(idempotencyKeys.owner, claim.owner),
        eq(idempotencyKeys.key, claim.key),
        lt(idempotencyKeys.createdAt, sql`now() - make_interval(hours => ${claim.ttlHours})`),
      ),
    );
  const inserted = await db
    .insert(idempotencyKeys)
    .values({ owner: claim.owner, key: claim.key, requestHash: claim.requestHash })
    .onConflictDoNothing()
    .returning({ owner: idempotencyKeys.owner });
  if (inserted.length > 0) return null;
  return firstOrNull(
    db
      .select()
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.owner, claim.owner), eq(idempotencyKeys.key, claim.key))),
  );
}

export async function completeIdempotencyKey(
  db: Db,
  done: {
    owner: string;
    key: string;
    status: number;
    response: string;
    etag: string | null;
    location: string | null;
  },
): Promise<void> {
  await db
    .update(idempotencyKeys)
    .set({
      status: done.status,
      response: done.response,
      etag: done.etag,
      location: done.location,
    })
    .where(and(eq(idempotencyKeys.owner, done.owner), eq(idempotencyKeys.key, done.key)));
}

/** Lets the key be used again: the first request failed before it could answer. */
export async function releaseIdempotencyKey(db: Db, owner: string, key: string): Promise<void> {
  await db
    .delete(idempotencyKeys)
    .where(and(eq(idempotencyKeys.owner, owner), eq(idempotencyKeys.key, key)));
}
