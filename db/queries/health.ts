import "server-only";
import { sql } from "drizzle-orm";
import type { Db } from "../client";

/** Answers once the database does: a round trip, nothing read. */
export async function pingDatabase(db: Db): Promise<void> {
  await db.execute(sql`select 1`);
}
