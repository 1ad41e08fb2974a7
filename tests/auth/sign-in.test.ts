import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { queryRows } from "@/db/rows";
import { CLI_ACTOR } from "@/lib/audit";
import { SignInRefused, WRONG_CREDENTIALS, authenticateWithPassword } from "@/lib/auth/sign-in";
import { SIGN_IN_LIMITS } from "@/lib/auth/sign-in-throttle";
import { loadSessionUser } from "@/lib/auth/session";
import { createUser, deactivateUser, reactivateUser, setUserRole } from "@/lib/auth/users";
import { createTestDb, type TestDb } from "../support/db";

// Every attempt costs a bcrypt-12 comparison (~0.3 s idle, several times that on a busy CI
// machine); the throttling tests make twenty of them.
vi.setConfig({ testTimeout: 180_000 });

let t: TestDb;
const PASSWORD = "correct-horse-battery-staple";
let counter = 0;
const meta = (ip = "203.0.113.7") => ({ ip, userAgent: "vitest" });

async function newUser(role: "finance" | "admin" = "finance") {
  counter++;
  return createUser(
    t.db,
    { email: `user${counter}@example.test`, role, password: PASSWORD },
    CLI_ACTOR,
  );
}

async function auditActions(email: string) {
  const rows = await queryRows<{ action: string; reason: string | null }>(
    t.db,
    sql`select action, after->>'reason' as reason from audit_log where actor_label = ${email} order by id`,
  );
  return rows.map((r) => (r.reason ? `${r.action}:${r.reason}` : r.action));
}

beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t?.close();
});

describe("password sign-in", () => {
  test("the right password signs in and is audited with IP and user agent", async () => {
    const user = await newUser();
    const signedIn = await authenticateWithPassword(
      t.db,
      user.email.toUpperCase(),
      PASSWORD,
      meta(),
    );
    expect(signedIn.id).toBe(user.id);
    const [entry] = await queryRows<{ ip: string; user_agent: string }>(
      t.db,
      sql`select host(ip) as ip, user_agent from audit_log where action = 'auth.sign_in.succeeded' and actor_id = ${user.id}`,
    );
    expect(entry).toEqual({ ip: "203.0.113.7", user_agent: "vitest" });
  });

  test("a wrong password and an unknown email give the same message, and both are audited", async () => {
    const user = await newUser();
    await expect(
      authenticateWithPassword(t.db, user.email, "wrong-password-123", meta()),
    ).rejects.toThrow(new SignInRefused(WRONG_CREDENTIALS));
    await expect(
      authenticateWithPassword(t.db, "nobody@example.test", PASSWORD, meta()),
    ).rejects.toThrow(WRONG_CREDENTIALS);
    expect(await auditActions(user.email)).toEqual(["auth.sign_in.failed:wrong password"]);
    expect(await auditActions("nobody@example.test")).toEqual([
      "auth.sign_in.failed:unknown email",
    ]);
  });

  test("after repeated failures the account is throttled, even with the right password", async () => {
    const user = await newUser();
    for (let i = 0; i < SIGN_IN_LIMITS.perAccount; i++) {
      await expect(
        authenticateWithPassword(t.db, user.email, `wrong-${i}-password`, meta(`198.51.100.${i}`)),
      ).rejects.toThrow(WRONG_CREDENTIALS);
    }
    await expect(
      authenticateWithPassword(t.db, user.email, PASSWORD, meta("198.51.100.99")),
    ).rejects.toThrow(/Too many failed sign-in attempts/);
    expect((await auditActions(user.email)).at(-1)).toBe("auth.sign_in.failed:throttled");
  });

  test("one IP failing across many accounts is throttled for every account", async () => {
    const ip = "192.0.2.200";
    for (let i = 0; i < SIGN_IN_LIMITS.perIp; i++) {
      await expect(
        authenticateWithPassword(t.db, `spray${i}@example.test`, "guess-guess-guess", meta(ip)),
      ).rejects.toThrow(WRONG_CREDENTIALS);
    }
    const user = await newUser();
    await expect(authenticateWithPassword(t.db, user.email, PASSWORD, meta(ip))).rejects.toThrow(
      /Too many/,
    );
    // The same account from elsewhere is fine: the block is on the IP.
    await expect(
      authenticateWithPassword(t.db, user.email, PASSWORD, meta("192.0.2.201")),
    ).resolves.toMatchObject({
      id: user.id,
    });
  });

  test("a deactivated user cannot sign in", async () => {
    const user = await newUser();
    await deactivateUser(t.db, { id: user.id }, CLI_ACTOR);
    await expect(authenticateWithPassword(t.db, user.email, PASSWORD, meta())).rejects.toThrow(
      WRONG_CREDENTIALS,
    );
    expect((await auditActions(user.email)).at(-1)).toBe("auth.sign_in.failed:user deactivated");
  });
});

describe("sessions end when access changes", () => {
  test("deactivation ends a session; reactivation does not revive it", async () => {
    const user = await newUser();
    const version = (await authenticateWithPassword(t.db, user.email, PASSWORD, meta()))
      .sessionVersion;
    expect(await loadSessionUser(t.db, user.id, version)).toMatchObject({
      id: user.id,
      role: "finance",
    });
    await deactivateUser(t.db, { id: user.id }, CLI_ACTOR);
    expect(await loadSessionUser(t.db, user.id, version)).toBeNull();
    await reactivateUser(t.db, { id: user.id }, CLI_ACTOR);
    expect(await loadSessionUser(t.db, user.id, version)).toBeNull();
  });

  test("a role change ends the session so the new role applies at the next sign-in", async () => {
    const user = await newUser();
    const version = (await authenticateWithPassword(t.db, user.email, PASSWORD, meta()))
      .sessionVersion;
    await setUserRole(t.db, { id: user.id }, "executive", CLI_ACTOR);
    expect(await loadSessionUser(t.db, user.id, version)).toBeNull();
    const again = await authenticateWithPassword(t.db, user.email, PASSWORD, meta());
    expect(await loadSessionUser(t.db, user.id, again.sessionVersion)).toMatchObject({
      role: "executive",
    });
  });
});

describe("the audit log is append-only", () => {
  test("UPDATE, DELETE and TRUNCATE are refused by the database", async () => {
    await newUser();
    // drizzle wraps the database error; the database's own message is its cause.
    const refusal = (statement: Promise<unknown>) =>
      expect(
        statement.catch((e: Error) => Promise.reject((e.cause as Error | undefined) ?? e)),
      ).rejects.toThrow(/append-only/);
    await refusal(t.db.execute(sql`update audit_log set action = 'tampered'`));
    await refusal(t.db.execute(sql`delete from audit_log`));
    await refusal(t.db.execute(sql`truncate audit_log`));
    const [row] = await queryRows<{ n: number }>(
      t.db,
      sql`select count(*)::int as n from audit_log where action = 'tampered'`,
    );
    expect(row!.n).toBe(0);
  });
});
