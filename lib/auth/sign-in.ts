import { and, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { users } from "@/db/schema";
import { writeAudit, type RequestMeta } from "@/lib/audit";
import { verifyPassword } from "./passwords";
import { checkSignInThrottle, recordSignInAttempt } from "./sign-in-throttle";

/** Shown for an unknown email and a wrong password alike, so the form does not reveal who has an account. */
export const WRONG_CREDENTIALS = "Wrong email or password.";

export class SignInRefused extends Error {}

export async function findActiveUserByEmail(db: Db, email: string) {
  const [user] = await db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      sessionVersion: users.sessionVersion,
    })
    .from(users)
    .where(and(eq(users.email, email.trim().toLowerCase()), eq(users.active, true)))
    .limit(1);
  return user ?? null;
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
    message: string,
    userId: string | null = null,
  ): Promise<never> => {
    await writeAudit(db, {
      actor: { type: "user", id: userId, label: email || null },
      action: "auth.sign_in.failed",
      after: { reason },
      meta,
    });
    throw new SignInRefused(message);
  };

  if (!email || !password) return refuse("missing credentials", WRONG_CREDENTIALS);
  const throttle = await checkSignInThrottle(db, email, ip);
  if (!throttle.allowed) {
    return refuse(
      "throttled",
      `Too many failed sign-in attempts. Try again in ${throttle.retryAfterMinutes} minutes.`,
    );
  }

  const [user] = await db.select().from(users).where(eq(users.email, email)).limit(1);
  const passwordOk = await verifyPassword(password, user?.passwordHash ?? null);
  if (!user || !passwordOk) {
    await recordSignInAttempt(db, email, ip, false);
    return refuse(user ? "wrong password" : "unknown email", WRONG_CREDENTIALS, user?.id ?? null);
  }
  if (!user.active) {
    await recordSignInAttempt(db, email, ip, false);
    return refuse("user deactivated", WRONG_CREDENTIALS, user.id);
  }
  await recordSignInAttempt(db, email, ip, true);
  await writeAudit(db, {
    actor: { type: "user", id: user.id, label: user.email },
    action: "auth.sign_in.succeeded",
    after: { provider: "credentials" },
    meta,
  });
  return user;
}
