import { sql } from "drizzle-orm";
import { getDb } from "@/db";
import { handle, json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/** Liveness and database reachability; public, reveals nothing but "up". */
export const GET = handle(async () => {
  const db = await getDb();
  await db.execute(sql`select 1`);
  return json({ status: "ok" });
});
