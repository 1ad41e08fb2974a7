import type { Db } from "@/db/client";
import { listEntities } from "@/db/queries/entities";

/** The legal entities telemetry has named, for the filters and the close pages. */
export async function loadEntities(db: Db): Promise<string[]> {
  return listEntities(db);
}
