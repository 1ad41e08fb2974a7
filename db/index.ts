import { env } from "@/lib/env";
import { openDb, targetFromEnv, type Db, type DbHandle } from "./client";

export type { Db } from "./client";

/*
 * The one database of this process. Opening is lazy (a build must not connect) and cached on
 * globalThis so that Next's dev-mode module reloads do not open a second PGlite on the same
 * folder, which would corrupt it.
 */
const globalForDb = globalThis as unknown as { closelineDb?: Promise<DbHandle> };

export function getDbHandle(): Promise<DbHandle> {
  globalForDb.closelineDb ??= openDb(targetFromEnv(env)).catch((error: unknown) => {
    globalForDb.closelineDb = undefined;
    throw error;
  });
  return globalForDb.closelineDb;
}

export async function getDb(): Promise<Db> {
  return (await getDbHandle()).db;
}
