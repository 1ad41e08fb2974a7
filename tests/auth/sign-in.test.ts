import { sql } from "drizzle-orm";
import { describe, expect, test, vi } from "vitest";
import { queryRows } from "@/db/rows";
import { CLI_ACTOR } from "@/lib/audit";
import {
  SignInRefused,
  SignInThrottled,
  WRONG_CREDENTIALS,
  authenticateWithPassword,
} from "@/lib/auth/sign-in";
import { SIGN_IN_LIMITS, reserveSignInAttempt } from "@/lib/auth/sign-in-throttle";
import { runRetention } from "@/lib/retention";
import { loadSessionUser } from "@/lib/auth/session";
import { createUser, deactivateUser, reactivateUser, setUserRole } from "@/lib/auth/users";
import { testDbForSuite } from "../support/db";

// Every attempt costs a bcrypt-12 comparison (~0.3 s idle, several times that on a busy CI
// machine); the throttling tests make twenty of them.
vi.setConfig({ testTimeout: 180_000 });

const t = testDbForSuite();
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

  test("five failures from one client throttle that client, never the owner elsewhere", async () => {
    const user = await newUser();
    const attacker = "198.51.100.7";
    for (let i = 0; i < SIGN_IN_LIMITS.perAccountAndClient; i++) {
      await expect(
        authenticateWithPassword(t.db, user.email, `wrong-${i}-password`, meta(attacker)),
      ).rejects.toThrow(WRONG_CREDENTIALS);
    }
    const refused = await authenticateWithPassword(
      t.db,
      user.email,
      PASSWORD,
      meta(attacker),
    ).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(SignInThrottled);
    const wait = (refused as SignInThrottled).retryAfterSeconds;
    expect(wait).toBeGreaterThan(SIGN_IN_LIMITS.windowMinutes * 60 - 60);
    expect(wait).toBeLessThanOrEqual(SIGN_IN_LIMITS.windowMinutes * 60);
    expect((refused as Error).message).toMatch(
      /Too many failed sign-in attempts. Try again in 1[45] minutes/,
    );
    expect((await auditActions(user.email)).at(-1)).toBe("auth.sign_in.failed:throttled");
    // The owner, from their own address, still gets in with the right password.
    await expect(
      authenticateWithPassword(t.db, user.email, PASSWORD, meta("198.51.100.99")),
    ).resolves.toMatchObject({ id: user.id });
  });

  test("twenty simultaneous wrong passwords for one account are checked five times, not twenty", async () => {
    const user = await newUser();
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        authenticateWithPassword(
          t.db,
          user.email,
          `wrong-${i}-password`,
          meta("198.51.100.50"),
        ).then(
          () => "signed in",
          (error: unknown) => (error instanceof SignInThrottled ? "throttled" : "wrong"),
        ),
      ),
    );
    expect(outcomes.filter((o) => o === "wrong")).toHaveLength(SIGN_IN_LIMITS.perAccountAndClient);
    expect(outcomes.filter((o) => o === "throttled")).toHaveLength(
      20 - SIGN_IN_LIMITS.perAccountAndClient,
    );
    const [recorded] = await queryRows<{ n: number }>(
      t.db,
      sql`select count(*)::int as n from sign_in_attempts where email = ${user.email}`,
    );
    expect(recorded?.n).toBe(SIGN_IN_LIMITS.perAccountAndClient);
  });

  test("one client failing across many accounts is throttled for every account", async () => {
    const ip = "192.0.2.200";
    for (let i = 0; i < SIGN_IN_LIMITS.perClient; i++) {
      await expect(
        authenticateWithPassword(t.db, `spray${i}@example.test`, "guess-guess-guess", meta(ip)),
      ).rejects.toThrow(WRONG_CREDENTIALS);
    }
    const user = await newUser();
    await expect(authenticateWithPassword(t.db, user.email, PASSWORD, meta(ip))).rejects.toThrow(
      SignInThrottled,
    );
    // The same account from elsewhere is fine: the block is on the client.
    await expect(
      authenticateWithPassword(t.db, user.email, PASSWORD, meta("192.0.2.201")),
    ).resolves.toMatchObject({
      id: user.id,
    });
  });

  test("failures from many clients slow an account down, by at most a minute, without locking it", async () => {
    const email = "slowed@example.test";
    const start = new Date("2026-12-06T10:00:00Z");
    const at = (seconds: number) => new Date(start.getTime() + seconds * 1000);
    const tryAt = (seconds: number, client: string) =>
      reserveSignInAttempt(t.db, email, client, at(seconds));
    // Ten failures from ten clients, one a second: no slow-down yet.
    for (let i = 0; i < SIGN_IN_LIMITS.accountSlowdownAfter; i++) {
      expect(await tryAt(i, `203.0.113.${i}`)).toMatchObject({ allowed: true });
    }
    // From here each attempt waits 2, 4, 8 … seconds after the last failure.
    expect(await tryAt(10, "203.0.113.100")).toEqual({
      allowed: false,
      rule: "account",
      retryAfterSeconds: 1,
    });
    expect(await tryAt(11, "203.0.113.101")).toMatchObject({ allowed: true });
    expect(await tryAt(12, "203.0.113.102")).toEqual({
      allowed: false,
      rule: "account",
      retryAfterSeconds: 3,
    });
    expect(await tryAt(15, "203.0.113.103")).toMatchObject({ allowed: true });
    // However many failures pile up, the wait never passes the cap.
    for (let i = 0; i < 20; i++) {
      await t.db.execute(
        sql`insert into sign_in_attempts (email, ip, succeeded, at) values (${email}, ${`203.0.113.${150 + i}`}, false, ${at(16).toISOString()})`,
      );
    }
    expect(await tryAt(17, "203.0.113.200")).toEqual({
      allowed: false,
      rule: "account",
      retryAfterSeconds: SIGN_IN_LIMITS.accountSlowdownMaxSeconds - 1,
    });
    expect(
      await tryAt(16 + SIGN_IN_LIMITS.accountSlowdownMaxSeconds, "203.0.113.200"),
    ).toMatchObject({
      allowed: true,
    });
  });

  test("attempts older than a day are pruned by the retention run", async () => {
    await t.db.execute(
      sql`insert into sign_in_attempts (email, ip, succeeded, at) values ('old@example.test', '192.0.2.9', false, now() - interval '25 hours'), ('recent@example.test', '192.0.2.9', false, now() - interval '23 hours')`,
    );
    const result = await runRetention(t.db);
    expect(result.signInAttempts).toBeGreaterThanOrEqual(1);
    const rows = await queryRows<{ email: string }>(
      t.db,
      sql`select email from sign_in_attempts where email in ('old@example.test', 'recent@example.test')`,
    );
    expect(rows.map((r) => r.email)).toEqual(["recent@example.test"]);
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
