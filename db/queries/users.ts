import "server-only";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../client";
import { firstOrNull } from "../rows";
import { users, type Role } from "../schema";

/** Who a user is: what every read of a user for a session, a token or a list starts from. */
const identityColumns = { id: users.id, email: users.email, name: users.name, role: users.role };

/** What may be shown about a user: everything but the password hash. */
const summaryColumns = {
  ...identityColumns,
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
  return firstOrNull(
    db
      .insert(users)
      .values(values)
      .onConflictDoNothing({ target: users.email })
      .returning(summaryColumns),
  );
}

export async function listUserSummaries(db: Db): Promise<UserSummary[]> {
  return db.select(summaryColumns).from(users).orderBy(asc(users.email));
}

export async function findUserSummary(db: Db, key: UserKey): Promise<UserSummary | null> {
  return firstOrNull(db.select(summaryColumns).from(users).where(whereUser(key)));
}

/** The whole row, password hash included: for the sign-in and session checks only. */
export async function findUserRow(db: Db, key: UserKey): Promise<User | null> {
  return firstOrNull(db.select().from(users).where(whereUser(key)).limit(1));
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
  return firstOrNull(
    db
      .update(users)
      .set({
        ...set,
        ...(endSessions ? { sessionVersion: sql`${users.sessionVersion} + 1` } : {}),
      })
      .where(
        and(eq(users.id, id), eq(users.role, expected.role), eq(users.active, expected.active)),
      )
      .returning(summaryColumns),
  );
}

/** Active users with one of `roles`, by name: the people exceptions can be assigned to. */
export async function listActiveUsersWithRoles(db: Db, roles: readonly Role[]) {
  if (roles.length === 0) return [];
  return db
    .select(identityColumns)
    .from(users)
    .where(and(eq(users.active, true), inArray(users.role, [...roles])))
    .orderBy(sql`coalesce(${users.name}, ${users.email})`, asc(users.email));
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
  return firstOrNull(
    db
      .select({
        ...identityColumns,
        active: users.active,
        sessionVersion: users.sessionVersion,
        timeZone: users.timeZone,
      })
      .from(users)
      .where(eq(users.id, id))
      .limit(1),
  );
}

/** The active user with this (lower-case) email, as a session starts from it. */
export async function findActiveUserByExactEmail(db: Db, email: string) {
  return firstOrNull(
    db
      .select({ ...identityColumns, sessionVersion: users.sessionVersion })
      .from(users)
      .where(and(eq(users.email, email), eq(users.active, true)))
      .limit(1),
  );
}

/** The active users among `emails`. */
export async function listActiveUsersByEmail(db: Db, emails: string[]) {
  return db
    .select(identityColumns)
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
  return firstOrNull(
    db
      .select({ email: users.email, timeZone: users.timeZone })
      .from(users)
      .where(eq(users.id, id))
      .for("update"),
  );
}

export async function updateUserTimeZone(db: Db, id: string, timeZone: string): Promise<void> {
  await db.update(users).set({ timeZone }).where(eq(users.id, id));
}
