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
