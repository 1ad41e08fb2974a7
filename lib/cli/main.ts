import { openDb, targetFromEnv, type DbHandle } from "@/db/client";
import { parseCommandLine, runCli, type CliResult } from "./index";
import { findRunningApp, runInApp } from "./remote";

export interface CliEnvironment {
  DATABASE_URL?: string;
  CLOSELINE_DATA_DIR: string;
  /** Reads piped standard input; called only for commands that take it. */
  readStdin: () => Promise<string | null>;
}

/**
 * Runs a command line where the database is: PostgreSQL opened directly when DATABASE_URL is
 * set (any number of processes may connect); else inside the running app, which has the
 * embedded database open; else the embedded database opened here.
 */
export async function runCommandLine(argv: string[], env: CliEnvironment): Promise<CliResult> {
  const parsed = parseCommandLine(argv);
  if (parsed.kind === "answered") return parsed.result;
  const stdin = parsed.command.readsStdin ? await env.readStdin() : null;

  if (!env.DATABASE_URL) {
    const app = findRunningApp(env.CLOSELINE_DATA_DIR);
    if (app) return runInApp(app, env.CLOSELINE_DATA_DIR, argv, stdin);
  }

  let handle: DbHandle | undefined;
  try {
    return await runCli(argv, {
      getDb: async () => (handle ??= await openDb(targetFromEnv(env))).db,
      stdin,
    });
  } finally {
    await handle?.close();
  }
}
