import { and, count, eq, gt, lt, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { signInAttempts } from "@/db/schema";

/*
 * Failed sign-ins are limited per account (slows password guessing against one user) and per
 * IP (slows spraying many accounts from one place). ASVS 2.2.1 asks for at most 100 failures
 * an hour per account; these are stricter and short-lived so a typo costs little.
 */
export const SIGN_IN_LIMITS = {
  windowMinutes: 15,
  perAccount: 5,
  perIp: 20,
} as const;

export interface ThrottleVerdict {
  allowed: boolean;
  retryAfterMinutes: number;
}

export async function checkSignInThrottle(
  db: Db,
  email: string,
  ip: string | null,
): Promise<ThrottleVerdict> {
  const since = sql`now() - make_interval(mins => ${SIGN_IN_LIMITS.windowMinutes})`;
  const [byAccount] = await db
    .select({ n: count() })
    .from(signInAttempts)
    .where(
      and(
        eq(signInAttempts.email, email),
        eq(signInAttempts.succeeded, false),
        gt(signInAttempts.at, since),
      ),
    );
  const [byIp] = ip
    ? await db
        .select({ n: count() })
        .from(signInAttempts)
        .where(
          and(
            eq(signInAttempts.ip, ip),
            eq(signInAttempts.succeeded, false),
            gt(signInAttempts.at, since),
          ),
        )
    : [{ n: 0 }];
  const allowed =
    (byAccount?.n ?? 0) < SIGN_IN_LIMITS.perAccount && (byIp?.n ?? 0) < SIGN_IN_LIMITS.perIp;
  return { allowed, retryAfterMinutes: allowed ? 0 : SIGN_IN_LIMITS.windowMinutes };
}

export async function recordSignInAttempt(
  db: Db,
  email: string,
  ip: string | null,
  succeeded: boolean,
) {
  await db.insert(signInAttempts).values({ email, ip, succeeded });
  // A successful sign-in forgives the account's earlier failures.
  if (succeeded) {
    await db
      .delete(signInAttempts)
      .where(and(eq(signInAttempts.email, email), eq(signInAttempts.succeeded, false)));
  }
}

/** Attempts older than a day carry no signal for throttling. */
export async function pruneSignInAttempts(db: Db) {
  await db.delete(signInAttempts).where(lt(signInAttempts.at, sql`now() - interval '1 day'`));
}
