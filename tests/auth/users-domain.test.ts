import { randomBytes } from "node:crypto";
import { and, asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, users } from "@/db/schema";
import { SYSTEM_ACTOR } from "@/lib/audit";
import { verifyPassword } from "@/lib/auth/passwords";
import {
  createUser,
  deactivateUser,
  findUser,
  findUserByEmail,
  listUsers,
  reactivateUser,
  setPassword,
  setUserRole,
} from "@/lib/auth/users";
import { Conflict, InvalidInput, NotFound } from "@/lib/errors";
import { createTestDb, testDbForSuite } from "../support/db";

const t = testDbForSuite();

const uniqueEmail = (label: string) => `${label}.${randomBytes(4).toString("hex")}@example.com`;

async function auditFor(userId: string) {
  return t.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.targetType, "user"), eq(auditLog.targetId, userId)))
    .orderBy(asc(auditLog.id));
}

async function sessionVersion(id: string) {
  const [row] = await t.db.select().from(users).where(eq(users.id, id));
  return row!.sessionVersion;
}

describe("createUser", () => {
  it("stores the email lower-case with a bcrypt hash and audits the creation", async () => {
    const email = uniqueEmail("Ana.Finance").toUpperCase();
    const user = await createUser(
      t.db,
      { email: `  ${email} `, name: "Ana", role: "finance", password: "a long enough secret" },
      SYSTEM_ACTOR,
    );
    expect(user).toMatchObject({ email: email.toLowerCase(), role: "finance", active: true });
    expect(user).not.toHaveProperty("passwordHash");
    expect(user.hasPassword).toBe(true);

    const row = await findUserByEmail(t.db, email);
    expect(row?.id).toBe(user.id);
    expect(await verifyPassword("a long enough secret", row!.passwordHash)).toBe(true);

    const [entry] = await auditFor(user.id);
    expect(entry).toMatchObject({ action: "user.created", actorType: "system" });
    expect(JSON.stringify(entry)).not.toContain(row!.passwordHash!);
  });

  it("refuses a second user with the same email in any case", async () => {
    const email = uniqueEmail("dup");
    await createUser(t.db, { email, role: "operations" }, SYSTEM_ACTOR);
    await expect(
      createUser(t.db, { email: email.toUpperCase(), role: "admin" }, SYSTEM_ACTOR),
    ).rejects.toBeInstanceOf(Conflict);
  });

  it("names the field that is wrong", async () => {
    await expect(
      createUser(t.db, { email: "not-an-email", role: "finance" }, SYSTEM_ACTOR),
    ).rejects.toThrow(/email: must be an email address/);
    await expect(
      createUser(t.db, { email: uniqueEmail("r"), role: "root" as never }, SYSTEM_ACTOR),
    ).rejects.toThrow(/role: must be one of executive, finance, operations, admin/);
    await expect(
      createUser(
        t.db,
        { email: uniqueEmail("p"), role: "finance", password: "short" },
        SYSTEM_ACTOR,
      ),
    ).rejects.toBeInstanceOf(InvalidInput);
  });
});

describe("changes that end sessions", () => {
  it("a role change bumps session_version and is audited with before and after", async () => {
    const user = await createUser(
      t.db,
      { email: uniqueEmail("role"), role: "executive" },
      SYSTEM_ACTOR,
    );
    const result = await setUserRole(t.db, { id: user.id }, "finance", SYSTEM_ACTOR);
    expect(result.changed).toBe(true);
    expect(result.before.role).toBe("executive");
    expect(result.after.role).toBe("finance");
    expect(await sessionVersion(user.id)).toBe(user.sessionVersion + 1);

    const entries = await auditFor(user.id);
    expect(entries.at(-1)).toMatchObject({
      action: "user.role_changed",
      before: { email: user.email, role: "executive" },
      after: { email: user.email, role: "finance" },
    });

    // Asking for the role it already has changes nothing and writes nothing.
    const again = await setUserRole(t.db, { email: user.email }, "finance", SYSTEM_ACTOR);
    expect(again.changed).toBe(false);
    expect(await sessionVersion(user.id)).toBe(user.sessionVersion + 1);
    expect(await auditFor(user.id)).toHaveLength(entries.length);
  });

  it("deactivation bumps session_version; reactivation gives access back", async () => {
    const user = await createUser(
      t.db,
      { email: uniqueEmail("deact"), role: "operations" },
      SYSTEM_ACTOR,
    );
    const off = await deactivateUser(t.db, { email: user.email }, SYSTEM_ACTOR);
    expect(off.after.active).toBe(false);
    expect(await sessionVersion(user.id)).toBe(user.sessionVersion + 1);

    const on = await reactivateUser(t.db, { email: user.email }, SYSTEM_ACTOR);
    expect(on.after.active).toBe(true);
    // The sessions deactivation ended stay ended.
    expect(await sessionVersion(user.id)).toBe(user.sessionVersion + 1);
    expect((await auditFor(user.id)).map((e) => e.action)).toEqual([
      "user.created",
      "user.deactivated",
      "user.reactivated",
    ]);
  });

  it("a new password replaces the old one and ends sessions", async () => {
    const user = await createUser(
      t.db,
      { email: uniqueEmail("pw"), role: "finance", password: "the first password" },
      SYSTEM_ACTOR,
    );
    await setPassword(t.db, { id: user.id }, "the second password", SYSTEM_ACTOR);
    const row = await findUser(t.db, { id: user.id });
    expect(await verifyPassword("the second password", row!.passwordHash)).toBe(true);
    expect(await verifyPassword("the first password", row!.passwordHash)).toBe(false);
    expect(row!.sessionVersion).toBe(user.sessionVersion + 1);
    await expect(setPassword(t.db, { id: user.id }, "short", SYSTEM_ACTOR)).rejects.toThrow(
      /at least 12 characters/,
    );
  });

  it("answers NotFound for an unknown user, by email or by a malformed id", async () => {
    await expect(
      deactivateUser(t.db, { email: uniqueEmail("nobody") }, SYSTEM_ACTOR),
    ).rejects.toBeInstanceOf(NotFound);
    await expect(
      setUserRole(t.db, { id: "not-a-uuid" }, "admin", SYSTEM_ACTOR),
    ).rejects.toBeInstanceOf(NotFound);
  });
});

describe("the last active admin", () => {
  it("cannot be demoted or deactivated, so someone can always manage users", async () => {
    // Alone in its own database, so other tests' admins do not count.
    const own = await createTestDb();
    try {
      const first = await createUser(
        own.db,
        { email: uniqueEmail("admin1"), role: "admin" },
        SYSTEM_ACTOR,
      );
      await expect(setUserRole(own.db, { id: first.id }, "finance", SYSTEM_ACTOR)).rejects.toThrow(
        /last active admin/,
      );
      await expect(deactivateUser(own.db, { id: first.id }, SYSTEM_ACTOR)).rejects.toBeInstanceOf(
        Conflict,
      );

      const second = await createUser(
        own.db,
        { email: uniqueEmail("admin2"), role: "admin" },
        SYSTEM_ACTOR,
      );
      await deactivateUser(own.db, { id: first.id }, SYSTEM_ACTOR);
      await expect(
        setUserRole(own.db, { id: second.id }, "executive", SYSTEM_ACTOR),
      ).rejects.toThrow(/last active admin/);
      expect((await listUsers(own.db)).map((u) => [u.role, u.active])).toEqual(
        [first, second]
          .sort((a, b) => a.email.localeCompare(b.email))
          .map((u) => ["admin", u.id === second.id]),
      );
    } finally {
      await own.close();
    }
  });
});
