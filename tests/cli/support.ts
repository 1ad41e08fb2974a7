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
