import { z } from "zod";
import type { Db } from "@/db/client";
import { revokeLiveTokensOfUser } from "@/db/queries/api-keys";
import {
  findUserRow,
  findUserSummary,
  insertUser,
  listUserSummaries,
  lockActiveAdminIds,
  updateUserIfUnchanged,
  type User,
  type UserChangeSet,
  type UserKey,
  type UserSummary,
} from "@/db/queries/users";
import { ROLES, type Role } from "@/db/schema";
import { writeAudit, type AuditActor, type RequestMeta } from "@/lib/audit";
import { Conflict, NotFound } from "@/lib/errors";
import { PasswordSchema, hashPassword } from "./passwords";
import { parseInput } from "@/lib/parse-input";

/*
 * The people who sign in to Closeline. Every change is audited in the transaction that makes
 * it, and every change that takes access away (deactivation, a new role, a new password)
 * bumps `session_version`, which the session check compares, so existing sessions end at once.
 */

/** Emails are stored lower-case, so `Ana@x.com` and `ana@x.com` are one account. */
export const EmailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, "must be at most 254 characters")
  .email("must be an email address");

export const RoleSchema = z.enum(ROLES, { message: `must be one of ${ROLES.join(", ")}` });

export const CreateUserInput = z.object({
  email: EmailSchema,
  name: z.string().trim().min(1, "must not be empty").max(100).optional(),
  role: RoleSchema,
  /** Optional: a user without one cannot sign in with a password until one is set. */
  password: PasswordSchema.optional(),
});
export type CreateUserInput = z.input<typeof CreateUserInput>;

/** Admin pages name users by id, operators on the command line by email. */
export type UserRef = { id: string } | { email: string };

export type { User, UserSummary };

export interface UserChangeResult {
  before: UserSummary;
  after: UserSummary;
  /** False when the user was already in the requested state; nothing was written then. */
  changed: boolean;
}

export async function createUser(
  db: Db,
  input: CreateUserInput,
  actor: AuditActor,
  meta?: RequestMeta,
): Promise<UserSummary> {
  const data = parseInput(CreateUserInput, input);
  // Hash before the transaction: bcrypt takes a third of a second and must not hold locks.
  const passwordHash = data.password ? await hashPassword(data.password) : null;
  return db.transaction(async (tx) => {
    const row = await insertUser(tx, {
      email: data.email,
      name: data.name ?? null,
      role: data.role,
      passwordHash,
    });
    if (!row) throw new Conflict(`A user with email ${data.email} already exists`);
    await writeAudit(tx, {
      actor,
      action: "user.created",
      target: { type: "user", id: row.id },
      after: { email: row.email, name: row.name, role: row.role, hasPassword: row.hasPassword },
      meta,
    });
    return row;
  });
}

export async function setUserRole(
  db: Db,
  ref: UserRef,
  role: Role,
  actor: AuditActor,
  meta?: RequestMeta,
): Promise<UserChangeResult> {
  const newRole = parseInput(RoleSchema, role);
  return changeUser(db, ref, actor, meta, (user) =>
    user.role === newRole
      ? null
      : {
          action: "user.role_changed",
          set: { role: newRole },
          removesAdmin: user.role === "admin" && user.active,
          before: { role: user.role },
          after: { role: newRole },
        },
  );
}

/** What every change of one user takes: the database, the user, and who acts from where. */
type UserChangeArgs = [db: Db, ref: UserRef, actor: AuditActor, meta?: RequestMeta];

export async function deactivateUser(...args: UserChangeArgs): Promise<UserChangeResult> {
  return setUserActive(false, ...args);
}

/** Gives access back; the sessions that deactivation ended stay ended. */
export async function reactivateUser(...args: UserChangeArgs): Promise<UserChangeResult> {
  return setUserActive(true, ...args);
}

/**
 * Deactivation takes an admin away (refused for the last one) and ends the user's tokens;
 * reactivation is the one change that keeps session_version.
 */
async function setUserActive(
  active: boolean,
  db: Db,
  ref: UserRef,
  actor: AuditActor,
  meta?: RequestMeta,
): Promise<UserChangeResult> {
  return changeUser(db, ref, actor, meta, (user) =>
    user.active === active
      ? null
      : {
          action: active ? "user.reactivated" : "user.deactivated",
          set: { active },
          removesAdmin: !active && user.role === "admin",
          revokesTokens: !active,
          keepSessions: active,
          before: { active: user.active },
          after: { active },
        },
  );
}

/** Sets or replaces the password; the user's other sessions end (ASVS 3.3.3). */
export async function setPassword(
  db: Db,
  ref: UserRef,
  password: string,
  actor: AuditActor,
  meta?: RequestMeta,
): Promise<UserChangeResult> {
  const passwordHash = await hashPassword(parseInput(PasswordSchema, password));
  return changeUser(db, ref, actor, meta, (user) => ({
    action: "user.password_set",
    set: { passwordHash },
    // Never the hash, not even the old one, in the log.
    before: { hasPassword: user.hasPassword },
    after: { hasPassword: true },
  }));
}

export async function listUsers(db: Db): Promise<UserSummary[]> {
  return listUserSummaries(db);
}

/**
 * The whole row, password hash included: for the sign-in check and the session check only,
 * never for a response.
 */
export async function findUser(db: Db, ref: UserRef): Promise<User | null> {
  const key = userKey(ref);
  return key ? findUserRow(db, key) : null;
}

export async function findUserByEmail(db: Db, email: string): Promise<User | null> {
  return findUser(db, { email });
}

/** The reference in the form stored, or null when it cannot name anybody. */
function userKey(ref: UserRef): UserKey | null {
  if ("id" in ref) {
    // A malformed id is simply nobody; passing it on would make the uuid cast fail.
    return z.uuid().safeParse(ref.id).success ? { id: ref.id } : null;
  }
  const email = EmailSchema.safeParse(ref.email);
  return email.success ? { email: email.data } : null;
}

function describe(ref: UserRef): string {
  return "id" in ref ? `id ${ref.id}` : `email ${ref.email.trim().toLowerCase()}`;
}

interface UserChange {
  action: string;
  set: UserChangeSet;
  /** The change takes an active admin away; refused when it is the last one. */
  removesAdmin?: boolean;
  /** Only reactivation keeps session_version: everything else here takes access away. */
  keepSessions?: boolean;
  /** Deactivation ends the user's personal tokens too: a token acts as its user. */
  revokesTokens?: boolean;
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}

async function changeUser(
  db: Db,
  ref: UserRef,
  actor: AuditActor,
  meta: RequestMeta | undefined,
  decide: (user: UserSummary) => UserChange | null,
): Promise<UserChangeResult> {
  return db.transaction(async (tx) => {
    const key = userKey(ref);
    const current = key ? await findUserSummary(tx, key) : null;
    if (!current) throw new NotFound(`No user with ${describe(ref)}`);
    const change = decide(current);
    if (!change) return { before: current, after: current, changed: false };
    if (change.removesAdmin) await assertAnotherActiveAdmin(tx, current);

    // The guard on role and active makes a concurrent change to the same user fail loudly
    // instead of being overwritten on the strength of what we read above.
    const updated = await updateUserIfUnchanged(
      tx,
      current.id,
      { role: current.role, active: current.active },
      change.set,
      !change.keepSessions,
    );
    if (!updated) throw new Conflict("The user was changed by someone else meanwhile; try again");
    const tokensRevoked = change.revokesTokens ? await revokeLiveTokensOfUser(tx, current.id) : 0;

    await writeAudit(tx, {
      actor,
      action: change.action,
      target: { type: "user", id: current.id },
      before: { email: current.email, ...change.before },
      after: {
        email: current.email,
        ...change.after,
        ...(tokensRevoked > 0 ? { tokensRevoked } : {}),
      },
      meta,
    });
    return { before: current, after: updated, changed: true };
  });
}

/**
 * Without an active admin nobody can manage users or keys from the app. The active admins
 * are locked in id order, so two admins demoting each other at the same moment queue up (and
 * the second sees the first's change) instead of both succeeding or deadlocking.
 */
async function assertAnotherActiveAdmin(db: Db, user: UserSummary): Promise<void> {
  const adminIds = await lockActiveAdminIds(db);
  if (!adminIds.some((id) => id !== user.id)) {
    throw new Conflict(`${user.email} is the last active admin; make another user admin first`);
  }
}
