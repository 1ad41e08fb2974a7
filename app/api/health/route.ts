import { getDb } from "@/db";
import { handle, json } from "@/lib/http/respond";
import { checkDatabaseReachable } from "@/lib/server/health";

export const dynamic = "force-dynamic";

/** Liveness and database reachability; public, reveals nothing but "up". */
export const GET = handle(async () => {
  await checkDatabaseReachable(await getDb());
  return json({ status: "ok" });
});
