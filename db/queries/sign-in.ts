import "server-only";
import { and, count, desc, eq, gt, isNull, lt, max, sql } from "drizzle-orm";
import type { Db } from "../client";
import { signInAttempts } from "../schema";
import { SIGN_IN_LOCK_CLASS } from "../advisory-locks";

/** The advisory-lock class of sign-in throttling; the key within it hashes account or client. */
const LOCK_CLASS = SIGN_IN_LOCK_CLASS;

/**
 * Holds, until the transaction ends, the lock of an account and (when known) of a client
 * address: always account before client, so two attempts never wait on each other in a cycle.
 */
export async function lockSignInScopes(db: Db, email: string, ip: string | null): Promise<void> {
  await db.execute(
    sql`select pg_advisory_xact_lock(${LOCK_CLASS}, hashtext(${`account:${email}`}))`,
  );
  if (ip)
    await db.execute(sql`select pg_advisory_xact_lock(${LOCK_CLASS}, hashtext(${`client:${ip}`}))`);
}

/**
 * Whose failures to count: one account, one client (`ip` null: attempts without an address),
 * or both together.
 */
export type FailureScope = { email: string; ip?: string | null } | { ip: string | null };

function scopeWhere(scope: FailureScope) {
  const client =
    scope.ip === undefined
      ? undefined
      : scope.ip
        ? eq(signInAttempts.ip, scope.ip)
        : isNull(signInAttempts.ip);
  return and("email" in scope ? eq(signInAttempts.email, scope.email) : undefined, client);
}

/** When the nth most recent failure in `scope` after `since` happened, or null when fewer. */
export async function nthRecentFailureAt(
  db: Db,
  scope: FailureScope,
  n: number,
  since: Date,
): Promise<Date | null> {
  const [row] = await db
    .select({ at: signInAttempts.at })
    .from(signInAttempts)
    .where(
      and(scopeWhere(scope), eq(signInAttempts.succeeded, false), gt(signInAttempts.at, since)),
    )
    .orderBy(desc(signInAttempts.at))
    .offset(n - 1)
    .limit(1);
  return row ? row.at : null;
}

/** How many times an account failed after `since`, from anywhere, and when it last did. */
export async function accountFailuresSince(db: Db, email: string, since: Date) {
  const [account] = await db
    .select({ failures: count(), last: max(signInAttempts.at) })
    .from(signInAttempts)
    .where(
      and(
        eq(signInAttempts.email, email),
        eq(signInAttempts.succeeded, false),
        gt(signInAttempts.at, since),
      ),
    );
  return { failures: account?.failures ?? 0, last: account?.last ?? null };
}

/** Records an attempt as a failure; returns its id. */
export async function insertFailedAttempt(
  db: Db,
  attempt: { email: string; ip: string | null; at: Date },
): Promise<number> {
  const [row] = await db
    .insert(signInAttempts)
    .values({ ...attempt, succeeded: false })
    .returning({ id: signInAttempts.id });
  return row!.id;
}

export async function markAttemptSucceeded(db: Db, attemptId: number): Promise<void> {
  await db.update(signInAttempts).set({ succeeded: true }).where(eq(signInAttempts.id, attemptId));
}

export async function deleteFailedAttempts(db: Db, email: string): Promise<void> {
  await db
    .delete(signInAttempts)
    .where(and(eq(signInAttempts.email, email), eq(signInAttempts.succeeded, false)));
}

/** Deletes the attempts made before `cutoff`; returns how many. */
export async function deleteAttemptsBefore(db: Db, cutoff: Date): Promise<number> {
  const deleted = await db
    .delete(signInAttempts)
    .where(lt(signInAttempts.at, cutoff))
    .returning({ id: signInAttempts.id });
  return deleted.length;
}
