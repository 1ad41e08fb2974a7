import { randomBytes } from "node:crypto";
import { and, asc, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { auditLog, users } from "@/db/schema";
import { verifyPassword } from "@/lib/auth/passwords";
import { findUserByEmail } from "@/lib/auth/users";
import { createTestDb, testDbForSuite } from "../support/db";
import { lastLine, runOn } from "./support";

const t = testDbForSuite();

beforeAll(async () => {
  // An admin of its own, so the tests below may demote and deactivate other admins.
  await runOn(t.db, ["user", "create", "--email", "keeper@example.com", "--role", "admin"]);
});

const uniqueEmail = (label: string) => `${label}.${randomBytes(4).toString("hex")}@example.com`;

async function row(email: string) {
  const user = await findUserByEmail(t.db, email);
  if (!user) throw new Error(`no user ${email}`);
  return user;
}

async function auditActions(userId: string) {
  const entries = await t.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.targetType, "user"), eq(auditLog.targetId, userId)))
    .orderBy(asc(auditLog.id));
  expect(entries.every((e) => e.actorType === "cli")).toBe(true);
  return entries.map((e) => e.action);
}

describe("user create", () => {
  it("generates a password when none is given and prints it once, on the last line", async () => {
    const email = uniqueEmail("Generated");
    const result = await runOn(t.db, ["user", "create", "--email", email, "--role", "finance"]);
    expect(result).toMatchObject({ exitCode: 0, stderr: [] });
    expect(result.stdout[0]).toMatch(/^Created finance user generated\.[0-9a-f]+@example\.com/);
    const password = lastLine(result);
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);

    const user = await row(email);
    expect(user).toMatchObject({ email: email.toLowerCase(), role: "finance", active: true });
    expect(await verifyPassword(password, user.passwordHash)).toBe(true);
    expect(await auditActions(user.id)).toEqual(["user.created"]);
  });

  it("uses the given password and name, and prints no password", async () => {
    const email = uniqueEmail("given");
    const result = await runOn(t.db, [
      "user",
      "create",
      "--email",
      email,
      "--role",
      "executive",
      "--name",
      "Eve Exec",
      "--password",
      "a chosen passphrase",
    ]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toHaveLength(1);
    const user = await row(email);
    expect(user.name).toBe("Eve Exec");
    expect(await verifyPassword("a chosen passphrase", user.passwordHash)).toBe(true);
  });

  it("fails with exit 1 and a reason for a taken email, a bad role or a weak password", async () => {
    const email = uniqueEmail("taken");
    await runOn(t.db, ["user", "create", "--email", email, "--role", "finance"]);
    const taken = await runOn(t.db, [
      "user",
      "create",
      "--email",
      email.toUpperCase(),
      "--role",
      "admin",
    ]);
    expect(taken).toMatchObject({ exitCode: 1, stdout: [] });
    expect(taken.stderr[0]).toBe(`closeline: A user with email ${email} already exists`);

    const role = await runOn(t.db, [
      "user",
      "create",
      "--email",
      uniqueEmail("r"),
      "--role",
      "root",
    ]);
    expect(role.exitCode).toBe(1);
    expect(role.stderr[0]).toMatch(/role: must be one of executive, finance, operations, admin/);

    const weak = await runOn(t.db, [
      "user",
      "create",
      "--email",
      uniqueEmail("w"),
      "--role",
      "finance",
      "--password",
      "short",
    ]);
    expect(weak.exitCode).toBe(1);
    expect(weak.stderr[0]).toMatch(/password: must be at least 12 characters/);
  });
});

describe("changes that end a user's sessions", () => {
  it("set-role, deactivate and set-password bump session_version; reactivate does not", async () => {
    const email = uniqueEmail("lifecycle");
    await runOn(t.db, ["user", "create", "--email", email, "--role", "operations"]);
    const start = (await row(email)).sessionVersion;

    const role = await runOn(t.db, ["user", "set-role", "--email", email, "--role", "admin"]);
    expect(role.stdout).toEqual([
      `Changed the role of ${email} from operations to admin; their sessions have ended.`,
    ]);
    expect(await row(email)).toMatchObject({ role: "admin", sessionVersion: start + 1 });

    const same = await runOn(t.db, ["user", "set-role", "--email", email, "--role", "admin"]);
    expect(same.stdout).toEqual([`${email} already has the role admin; nothing changed.`]);
    expect((await row(email)).sessionVersion).toBe(start + 1);

    const off = await runOn(t.db, ["user", "deactivate", "--email", email.toUpperCase()]);
    expect(off.stdout).toEqual([`Deactivated ${email}; their sessions have ended.`]);
    expect(await row(email)).toMatchObject({ active: false, sessionVersion: start + 2 });

    const on = await runOn(t.db, ["user", "reactivate", "--email", email]);
    expect(on.stdout).toEqual([`Reactivated ${email}; they can sign in again.`]);
    expect(await row(email)).toMatchObject({ active: true, sessionVersion: start + 2 });

    const piped = await runOn(
      t.db,
      ["user", "set-password", "--email", email],
      "a piped new passphrase\n",
    );
    expect(piped.stdout).toEqual([`Set a new password for ${email}; their sessions have ended.`]);
    const after = await row(email);
    expect(after.sessionVersion).toBe(start + 3);
    expect(await verifyPassword("a piped new passphrase", after.passwordHash)).toBe(true);

    expect(await auditActions(after.id)).toEqual([
      "user.created",
      "user.role_changed",
      "user.deactivated",
      "user.reactivated",
      "user.password_set",
    ]);
  });

  it("set-password without input generates one and prints it on the last line", async () => {
    const email = uniqueEmail("reset");
    await runOn(t.db, ["user", "create", "--email", email, "--role", "finance"]);
    const result = await runOn(t.db, ["user", "set-password", "--email", email], null);
    expect(result.exitCode).toBe(0);
    expect(await verifyPassword(lastLine(result), (await row(email)).passwordHash)).toBe(true);
  });

  it("answers exit 1 for an unknown user and for the last active admin", async () => {
    const unknown = await runOn(t.db, ["user", "deactivate", "--email", uniqueEmail("nobody")]);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr[0]).toMatch(/^closeline: No user with email nobody\./);

    const own = await createTestDb();
    try {
      await runOn(own.db, ["user", "create", "--email", "only@example.com", "--role", "admin"]);
      const last = await runOn(own.db, ["user", "deactivate", "--email", "only@example.com"]);
      expect(last.exitCode).toBe(1);
      expect(last.stderr[0]).toMatch(/last active admin/);
    } finally {
      await own.close();
    }
  });
});

describe("user list", () => {
  it("lists every user with role, status and whether a password is set", async () => {
    const email = uniqueEmail("listed");
    await runOn(t.db, ["user", "create", "--email", email, "--role", "executive", "--name", "Lis"]);
    await runOn(t.db, ["user", "deactivate", "--email", email]);
    const result = await runOn(t.db, ["user", "list"]);
    expect(result.stdout[0]).toMatch(/^EMAIL\s+NAME\s+ROLE\s+STATUS\s+PASSWORD\s+CREATED$/);
    expect(result.stdout.find((l) => l.startsWith(email))).toMatch(
      /Lis\s+executive\s+deactivated\s+set\s+\d{4}-/,
    );
    expect(result.stdout.join("\n")).not.toMatch(/\$2[aby]\$/);
    const count = await t.db.$count(users);
    expect(result.stdout).toHaveLength(count + 1);
  });
});
