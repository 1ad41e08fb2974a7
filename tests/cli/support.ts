import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import type { Db } from "@/db/client";
import { runCli, type CliResult } from "@/lib/cli";

/** Runs a command line against a test database, as the CLI process or the app would. */
export function runOn(db: Db, argv: string[], stdin: string | null = null): Promise<CliResult> {
  return runCli(argv, { getDb: async () => db, stdin });
}

/** For commands that must answer without touching a database (help, usage errors). */
export const noDatabase = async (): Promise<Db> => {
  throw new Error("this command must not open the database");
};

export function lastLine(result: CliResult): string {
  return result.stdout.at(-1) ?? "";
}

export function bearer(key: string): Request {
  return new Request("http://localhost/api/v1/events", {
    headers: { authorization: `Bearer ${key}` },
  });
}

/** A fresh folder under the system's temporary one for the suite, removed after it. */
export function tempDirForSuite(prefix: string): () => string {
  let dir: string | null = null;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  });
  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    if (!dir) throw new Error("the folder is made in beforeAll; use it in a test");
    return dir;
  };
}
