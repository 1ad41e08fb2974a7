import "server-only";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../client";
import { users, type Role } from "../schema";

/** What may be shown about a user: everything but the password hash. */
const summaryColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  role: users.role,
  active: users.active,
  sessionVersion: users.sessionVersion,
  hasPassword: sql<boolean>`${users.passwordHash} is not null`.as("has_password"),
  createdAt: users.createdAt,
};

export interface UserSummary {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  active: boolean;
  sessionVersion: number;
  hasPassword: boolean;
  createdAt: Date;
}

export type User = typeof users.$inferSelect;

/** A user by id or by (lower-case) email; the caller has checked the value's shape. */
export type UserKey = { id: string } | { email: string };

const whereUser = (key: UserKey) =>
  "id" in key ? eq(users.id, key.id) : eq(users.email, key.email);

/**
 * Inserts a user unless the email is taken (null then). ON CONFLICT rather than catching the
 * unique violation: the same on both engines, and a failed INSERT would abort an outer
 * transaction the caller may have passed in.
 */
export async function insertUser(
  db: Db,
  values: { email: string; name: string | null; role: Role; passwordHash: string | null },
): Promise<UserSummary | null> {
  const [row] = await db
    .insert(users)
    .values(values)
    .onConflictDoNothing({ target: users.email })
    .returning(summaryColumns);
  return row ?? null;
}

export async function listUserSummaries(db: Db): Promise<UserSummary[]> {
  return db.select(summaryColumns).from(users).orderBy(asc(users.email));
}

export async function findUserSummary(db: Db, key: UserKey): Promise<UserSummary | null> {
  const [row] = await db.select(summaryColumns).from(users).where(whereUser(key));
  return row ?? null;
}

/** The whole row, password hash included: for the sign-in and session checks only. */
export async function findUserRow(db: Db, key: UserKey): Promise<User | null> {
  const [row] = await db.select().from(users).where(whereUser(key)).limit(1);
  return row ?? null;
}

export type UserChangeSet = Partial<
  Pick<typeof users.$inferInsert, "role" | "active" | "passwordHash">
>;

/**
 * Applies `set` to the user if their role and active flag are still `expected`, so a
 * concurrent change to the same user fails loudly (null) instead of being overwritten.
 * `endSessions` bumps session_version, which ends the user's sessions.
 */
export async function updateUserIfUnchanged(
  db: Db,
  id: string,
  expected: { role: Role; active: boolean },
  set: UserChangeSet,
  endSessions: boolean,
): Promise<UserSummary | null> {
  const [updated] = await db
    .update(users)
    .set({
      ...set,
      ...(endSessions ? { sessionVersion: sql`${users.sessionVersion} + 1` } : {}),
    })
    .where(and(eq(users.id, id), eq(users.role, expected.role), eq(users.active, expected.active)))
    .returning(summaryColumns);
  return updated ?? null;
}

/** The ids of the active admins, locked in id order so concurrent demotions queue up. */
export async function lockActiveAdminIds(db: Db): Promise<string[]> {
  const admins = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.role, "admin"), eq(users.active, true)))
    .orderBy(asc(users.id))
    .for("update");
  return admins.map((admin) => admin.id);
}

/** A user without the password hash: for the session check and issuing a personal token. */
export async function findUserProfile(db: Db, id: string) {
  const [user] = await db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      active: users.active,
      sessionVersion: users.sessionVersion,
      timeZone: users.timeZone,
    })
    .from(users)
    .where(eq(users.id, id))
    .limit(1);
  return user ?? null;
}

/** The active user with this (lower-case) email, as a session starts from it. */
export async function findActiveUserByExactEmail(db: Db, email: string) {
  const [user] = await db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      sessionVersion: users.sessionVersion,
    })
    .from(users)
    .where(and(eq(users.email, email), eq(users.active, true)))
    .limit(1);
  return user ?? null;
}

/** The active users among `emails`. */
export async function listActiveUsersByEmail(db: Db, emails: string[]) {
  return db
    .select({ id: users.id, email: users.email, name: users.name, role: users.role })
    .from(users)
    .where(and(inArray(users.email, emails), eq(users.active, true)));
}

/** Which of `emails` have a user, active or not. */
export async function listExistingEmails(db: Db, emails: string[]): Promise<string[]> {
  const rows = await db
    .select({ email: users.email })
    .from(users)
    .where(inArray(users.email, emails));
  return rows.map((row) => row.email);
}

/** Creates the user, or gives an existing one this role, password and access back. */
export async function upsertUserWithPassword(
  db: Db,
  values: { email: string; name: string; role: Role; passwordHash: string },
): Promise<string> {
  const [row] = await db
    .insert(users)
    .values(values)
    .onConflictDoUpdate({
      target: users.email,
      set: { passwordHash: values.passwordHash, active: true, role: values.role },
    })
    .returning({ id: users.id });
  return row!.id;
}

/** The user's email and time zone, locked until the transaction ends. */
export async function lockUserTimeZone(db: Db, id: string) {
  const [current] = await db
    .select({ email: users.email, timeZone: users.timeZone })
    .from(users)
    .where(eq(users.id, id))
    .for("update");
  return current ?? null;
}

export async function updateUserTimeZone(db: Db, id: string, timeZone: string): Promise<void> {
  await db.update(users).set({ timeZone }).where(eq(users.id, id));
}
