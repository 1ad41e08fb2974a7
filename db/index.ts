/*
 * db/ (this file, client.ts, rows.ts and queries/) is marked server-only: a client component
 * that reaches it fails the build instead of shipping the database code to the browser. The
 * schema is not marked: it only declares tables and the enums other layers name.
 * Outside Next.js the marker package resolves under the `react-server` export condition, so
 * the processes that open a database themselves run with it: the CLI, the benchmarks and the
 * tests' subprocesses (`tsx --conditions=react-server`, package.json), vitest and Playwright
 * through an alias to an empty module (vitest.config.ts, tsconfig.e2e.json).
 */
import "server-only";
import { env } from "@/lib/env";
import { openDb, targetFromEnv, type Db, type DbHandle, type DbTarget } from "./client";
import { embeddedSocketPath } from "./embedded-socket";

export type { Db } from "./client";

/*
 * The one database of this process. Opening is lazy (a build must not connect) and cached on
 * globalThis so that Next's dev-mode module reloads do not open a second PGlite on the same
 * folder, which would corrupt it.
 */
const globalForDb = globalThis as unknown as { closelineDb?: Promise<DbHandle> };

/** Only the app process serves the embedded socket, not the CLI that opens the folder itself. */
function appTarget(): DbTarget {
  const target = targetFromEnv(env);
  if (target.kind === "pglite" && env.CLOSELINE_PGLITE_SOCKET === "on") {
    return { ...target, listenSocket: embeddedSocketPath(env.CLOSELINE_DATA_DIR) };
  }
  return target;
}

export function getDbHandle(): Promise<DbHandle> {
  globalForDb.closelineDb ??= openDb(appTarget()).catch((error: unknown) => {
    globalForDb.closelineDb = undefined;
    throw error;
  });
  return globalForDb.closelineDb;
}

export async function getDb(): Promise<Db> {
  return (await getDbHandle()).db;
}
