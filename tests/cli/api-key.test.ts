import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { apiKeys, auditLog } from "@/db/schema";
import { authenticateApiKey } from "@/lib/auth/api-keys";
import { Unauthenticated } from "@/lib/errors";
import { testDbForSuite } from "../support/db";
import { bearer, lastLine, runOn } from "./support";

const t = testDbForSuite();

async function createKey(name: string, scopes = "ingest") {
  const result = await runOn(t.db, ["api-key", "create", "--name", name, "--scopes", scopes]);
  expect(result).toMatchObject({ exitCode: 0, stderr: [] });
  return { result, key: lastLine(result) };
}

describe("api-key create", () => {
  it("prints the key once, alone on the last line, and the key authenticates", async () => {
    const { result, key } = await createKey("ci uploader", "ingest,read");
    expect(key).toMatch(/^cl_[A-Za-z0-9_-]{43}$/);
    expect(result.stdout.slice(0, -1).join("\n")).not.toContain(key);
    expect(result.stdout[0]).toContain('"ci uploader" with scopes ingest, read');

    const authenticated = await authenticateApiKey(t.db, bearer(key), "read");
    expect(authenticated.name).toBe("ci uploader");
    expect(authenticated.scopes).toEqual(["ingest", "read"]);

    const [entry] = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "api_key.created"), eq(auditLog.targetId, authenticated.id)));
    expect(entry).toMatchObject({ actorType: "cli", actorLabel: "command line" });
  });

  it("refuses unknown scopes without creating anything (exit 1)", async () => {
    const before = await t.db.select().from(apiKeys);
    const result = await runOn(t.db, ["api-key", "create", "--name", "x", "--scopes", "admin"]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toEqual([]);
    expect(result.stderr.join("\n")).toMatch(/Scopes must be a non-empty subset of ingest, read/);
    expect(await t.db.select().from(apiKeys)).toHaveLength(before.length);
  });
});

describe("api-key revoke", () => {
  it("revokes by prefix; the key then fails with 401, and the revocation is audited", async () => {
    const { key } = await createKey("to revoke by prefix");
    const prefix = key.slice(0, 10);
    const result = await runOn(t.db, ["api-key", "revoke", prefix]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout[0]).toContain(`Revoked API key "to revoke by prefix" (prefix ${prefix}`);
    await expect(authenticateApiKey(t.db, bearer(key), "ingest")).rejects.toBeInstanceOf(
      Unauthenticated,
    );

    const [row] = await t.db.select().from(apiKeys).where(eq(apiKeys.prefix, prefix));
    const [entry] = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "api_key.revoked"), eq(auditLog.targetId, row!.id)));
    expect(entry?.actorType).toBe("cli");

    const again = await runOn(t.db, ["api-key", "revoke", prefix]);
    expect(again.exitCode).toBe(1);
    expect(again.stderr[0]).toMatch(/already revoked/);
  });

  it("revokes by id and by the whole key", async () => {
    const byId = await createKey("to revoke by id");
    const [row] = await t.db
      .select()
      .from(apiKeys)
      .where(eq(apiKeys.prefix, byId.key.slice(0, 10)));
    expect((await runOn(t.db, ["api-key", "revoke", row!.id])).exitCode).toBe(0);
    await expect(authenticateApiKey(t.db, bearer(byId.key), "ingest")).rejects.toThrow();

    const leaked = await createKey("leaked");
    expect((await runOn(t.db, ["api-key", "revoke", leaked.key])).exitCode).toBe(0);
    await expect(authenticateApiKey(t.db, bearer(leaked.key), "ingest")).rejects.toThrow();
  });

  it("refuses a reference that names no key, or too little of one", async () => {
    const unknown = await runOn(t.db, ["api-key", "revoke", "cl_zzzzzzz"]);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr[0]).toMatch(/No API key has the id or prefix "cl_zzzzzzz"/);

    const { key } = await createKey("survives a short prefix");
    const short = await runOn(t.db, ["api-key", "revoke", "cl_"]);
    expect(short.exitCode).toBe(1);
    expect(short.stderr[0]).toMatch(/too short/);
    await expect(authenticateApiKey(t.db, bearer(key), "ingest")).resolves.toBeTruthy();
  });
});

describe("api-key list", () => {
  it("shows each key's prefix, scopes and status, never the key", async () => {
    const { key } = await createKey("listed", "read");
    await runOn(t.db, ["api-key", "revoke", key.slice(0, 10)]);
    const result = await runOn(t.db, ["api-key", "list"]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout[0]).toMatch(
      /^ID\s+NAME\s+PREFIX\s+SCOPES\s+CREATED\s+LAST USED\s+STATUS$/,
    );
    const line = result.stdout.find((l) => l.includes(key.slice(0, 10)));
    expect(line).toMatch(/listed\s+cl_\S+\s+read\s+.*revoked \d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
    expect(result.stdout.join("\n")).not.toContain(key);
  });
});
