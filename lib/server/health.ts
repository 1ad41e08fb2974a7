import type { Db } from "@/db/client";
import { pingDatabase } from "@/db/queries/health";

/** Liveness: resolves once the database answers, throws when it cannot be reached. */
export async function checkDatabaseReachable(db: Db): Promise<void> {
  await pingDatabase(db);
}
