import { getDb } from "@/db";
import { pingDatabase } from "@/db/queries/health";
import { handle, json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/** Liveness and database reachability; public, reveals nothing but "up". */
export const GET = handle(async () => {
  await pingDatabase(await getDb());
  return json({ status: "ok" });
});
