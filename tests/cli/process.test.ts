import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openDb, type DbHandle } from "@/db/client";
import { authenticateApiKey } from "@/lib/auth/api-keys";
import { verifyPassword } from "@/lib/auth/passwords";
import { findUserByEmail } from "@/lib/auth/users";
import { TEST_ENGINE, testDbForSuite } from "../support/db";
import { bearer, tempDirForSuite } from "./support";

/*
 * The real command line, as an operator runs it: a child process of `npx tsx
 * scripts/closeline.ts`. On PostgreSQL through DATABASE_URL; on the embedded engine against
 * a fresh data folder, with no app running, so the CLI opens PGlite itself.
 */

const ROOT = path.resolve(__dirname, "../..");
const t = testDbForSuite();
const dataDir = tempDirForSuite("closeline-cli-process-");

function closeline(args: string[], stdin?: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, CLOSELINE_DATA_DIR: dataDir() };
  // Empty, not absent, so that a DATABASE_URL in a developer's .env file is not loaded either.
  env.DATABASE_URL = TEST_ENGINE === "postgres" ? t.url! : "";
  // As `npm run closeline` runs it: the react-server condition lets db/ load (db/index.ts).
  const child = spawn(
    "npx",
    ["tsx", "--conditions=react-server", "scripts/closeline.ts", ...args],
    {
      cwd: ROOT,
      env,
      stdio: ["pipe", "pipe", "pipe"],
    },
  );
  child.stdin.end(stdin ?? "");
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (code) => resolve({ code, stdout, stderr })),
  );
}

/** The database the child wrote to, opened after it exited (PGlite admits one process). */
async function withChildDb<T>(check: (handle: DbHandle) => Promise<T>): Promise<T> {
  if (TEST_ENGINE === "postgres") return check(t);
  const handle = await openDb({ kind: "pglite", dataDir: path.join(dataDir(), "pglite") });
  try {
    return await check(handle);
  } finally {
    await handle.close();
  }
}

describe("npx tsx scripts/closeline.ts", () => {
  it("api-key create prints a working key alone on the last line", async () => {
    const run = await closeline(["api-key", "create", "--name", "spawned", "--scopes", "ingest"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split("\n");
    const key = lines.at(-1)!;
    expect(key).toMatch(/^cl_[A-Za-z0-9_-]{43}$/);
    await withChildDb(async ({ db }) => {
      await expect(authenticateApiKey(db, bearer(key), "ingest")).resolves.toMatchObject({
        name: "spawned",
      });
    });
  }, 120_000);

  it("user set-password reads the password from piped standard input", async () => {
    const email = `piped.${Date.now()}@example.com`;
    expect(
      (await closeline(["user", "create", "--email", email, "--role", "operations"])).code,
    ).toBe(0);
    const run = await closeline(
      ["user", "set-password", "--email", email],
      "from a pipe, not argv\n",
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`Set a new password for ${email}; their sessions have ended.\n`);
    await withChildDb(async ({ db }) => {
      const user = await findUserByEmail(db, email);
      expect(await verifyPassword("from a pipe, not argv", user!.passwordHash)).toBe(true);
    });
  }, 120_000);

  it("exits 2 with the message on stderr for an unknown command", async () => {
    const run = await closeline(["api-key", "rotate"]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/^closeline: Unknown command "api-key rotate"/);
  }, 120_000);
});
