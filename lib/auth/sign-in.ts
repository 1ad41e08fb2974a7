import type { Db } from "@/db/client";
import { findActiveUserByExactEmail, findUserRow } from "@/db/queries/users";
import { writeAudit, type RequestMeta } from "@/lib/audit";
import { verifyPassword } from "./passwords";
import { describeWait } from "./throttle-message";
import { reserveSignInAttempt, settleSignInAttempt } from "./sign-in-throttle";

/** Shown for an unknown email and a wrong password alike, so the form does not reveal who has an account. */
export const WRONG_CREDENTIALS = "Wrong email or password.";

export class SignInRefused extends Error {}

/** Refused by the throttle before the password was checked: try again after the wait. */
export class SignInThrottled extends SignInRefused {
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many failed sign-in attempts. Try again in ${describeWait(retryAfterSeconds)}.`);
  }
}

export async function findActiveUserByEmail(db: Db, email: string) {
  return findActiveUserByExactEmail(db, email.trim().toLowerCase());
}

/**
 * Checks an email and password, with throttling and an audit entry for every outcome.
 * Throws SignInRefused with the message to show on the form.
 */
export async function authenticateWithPassword(
  db: Db,
  rawEmail: string,
  password: string,
  meta: RequestMeta,
) {
  const email = rawEmail.trim().toLowerCase().slice(0, 320);
  const ip = meta.ip?.split(",")[0]?.trim() ?? null;
  const refuse = async (
    reason: string,
    error: SignInRefused,
    userId: string | null = null,
  ): Promise<never> => {
    await writeAudit(db, {
      actor: { type: "user", id: userId, label: email || null },
      action: "auth.sign_in.failed",
      after: { reason },
      meta,
    });
    throw error;
  };

  if (!email || !password) {
    return refuse("missing credentials", new SignInRefused(WRONG_CREDENTIALS));
  }
  const reservation = await reserveSignInAttempt(db, email, ip);
  if (!reservation.allowed) {
    return refuse(`throttled`, new SignInThrottled(reservation.retryAfterSeconds));
  }

  const user = await findUserRow(db, { email });
  const passwordOk = await verifyPassword(password, user?.passwordHash ?? null);
  if (!user || !passwordOk) {
    return refuse(
      user ? "wrong password" : "unknown email",
      new SignInRefused(WRONG_CREDENTIALS),
      user?.id ?? null,
    );
  }
  if (!user.active) {
    return refuse("user deactivated", new SignInRefused(WRONG_CREDENTIALS), user.id);
  }
  await settleSignInAttempt(db, reservation.attemptId, email);
  await writeAudit(db, {
    actor: { type: "user", id: user.id, label: user.email },
    action: "auth.sign_in.succeeded",
    after: { provider: "credentials" },
    meta,
  });
  return user;
}
