import type { Db } from "@/db/client";
import {
  accountFailuresSince,
  deleteAttemptsBefore,
  deleteFailedAttempts,
  insertFailedAttempt,
  lockSignInScopes,
  markAttemptSucceeded,
  nthRecentFailureAt,
  type FailureScope,
} from "@/db/queries/sign-in";

/*
 * Failed sign-ins are limited so that guessing is slow but nobody elsewhere can lock an owner
 * out of their account (ASVS 2.2.1 asks for at most 100 failures an hour per account):
 *   - per account and client: 5 failures in 15 minutes from one address, and that address
 *     waits until the oldest of them leaves the window;
 *   - per client: 20 failures in 15 minutes across accounts (password spraying);
 *   - per account, from anywhere: past 10 failures in 15 minutes each further attempt waits
 *     a little longer after the last failure (2 s, 4 s, … at most 60 s). It slows a
 *     distributed guesser to a crawl and never locks the owner out for more than a minute.
 * An attempt is recorded as a failure before its password is checked, in a transaction that
 * holds a lock per account and per client: concurrent guesses are counted one by one, so
 * twenty at once get the same verdicts as twenty in a row. A success then forgives the
 * account's failures.
 */
export const SIGN_IN_LIMITS = {
  windowMinutes: 15,
  perAccountAndClient: 5,
  perClient: 20,
  accountSlowdownAfter: 10,
  accountSlowdownMaxSeconds: 60,
} as const;

/** Attempts older than a day carry no signal for throttling. */
export const SIGN_IN_ATTEMPT_RETENTION_HOURS = 24;

export type SignInThrottleRule = "account_and_client" | "client" | "account";

export type SignInReservation =
  | { allowed: true; attemptId: number }
  | { allowed: false; rule: SignInThrottleRule; retryAfterSeconds: number };

const WINDOW_MS = SIGN_IN_LIMITS.windowMinutes * 60_000;

/**
 * When the nth most recent failure matching `where` (within the window) leaves the window,
 * or null when there are fewer than n.
 */
async function nthFailureExpiry(db: Db, scope: FailureScope, n: number, since: Date) {
  const at = await nthRecentFailureAt(db, scope, n, since);
  return at ? at.getTime() + WINDOW_MS : null;
}

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/**
 * Decides whether a password may be checked now and, if so, records the attempt as a failure
 * (settleSignInAttempt turns it into a success). Atomic per account and per client.
 */
export async function reserveSignInAttempt(
  db: Db,
  email: string,
  ip: string | null,
  now = new Date(),
): Promise<SignInReservation> {
  return db.transaction(async (tx) => {
    await lockSignInScopes(tx, email, ip);
    const since = new Date(now.getTime() - WINDOW_MS);

    const accountAndClient = await nthFailureExpiry(
      tx,
      { email, ip },
      SIGN_IN_LIMITS.perAccountAndClient,
      since,
    );
    if (accountAndClient !== null) {
      return {
        allowed: false,
        rule: "account_and_client",
        retryAfterSeconds: seconds(accountAndClient - now.getTime()),
      };
    }
    if (ip) {
      const byClient = await nthFailureExpiry(tx, { ip }, SIGN_IN_LIMITS.perClient, since);
      if (byClient !== null) {
        return {
          allowed: false,
          rule: "client",
          retryAfterSeconds: seconds(byClient - now.getTime()),
        };
      }
    }
    const account = await accountFailuresSince(tx, email, since);
    const excess = account.failures - SIGN_IN_LIMITS.accountSlowdownAfter;
    if (excess >= 0 && account.last) {
      const waitMs = Math.min(2 ** (excess + 1), SIGN_IN_LIMITS.accountSlowdownMaxSeconds) * 1000;
      const readyAt = account.last.getTime() + waitMs;
      if (readyAt > now.getTime()) {
        return {
          allowed: false,
          rule: "account",
          retryAfterSeconds: seconds(readyAt - now.getTime()),
        };
      }
    }
    const attemptId = await insertFailedAttempt(tx, { email, ip, at: now });
    return { allowed: true, attemptId };
  });
}

/** The password was right: the attempt succeeded, and the account's failures are forgiven. */
export async function settleSignInAttempt(db: Db, attemptId: number, email: string) {
  await db.transaction(async (tx) => {
    await markAttemptSucceeded(tx, attemptId);
    await deleteFailedAttempts(tx, email);
  });
}

/** Deletes attempts past SIGN_IN_ATTEMPT_RETENTION_HOURS; returns how many. */
export async function pruneSignInAttempts(db: Db, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - SIGN_IN_ATTEMPT_RETENTION_HOURS * 3_600_000);
  return deleteAttemptsBefore(db, cutoff);
}
