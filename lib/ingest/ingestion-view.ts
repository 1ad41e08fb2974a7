import type { Db } from "@/db/client";
import { eventVolumeByType, recentRejections, type Range } from "@/db/queries/ingestion";
import { loadIngestionHealth } from "./health";

/**
 * What the ingestion page shows: each source's health over the last days whatever the
 * range, and the accepted and rejected events within the chosen range.
 */
export async function loadIngestionView(db: Db, range: Range) {
  const [health, volume, rejections] = await Promise.all([
    loadIngestionHealth(db),
    eventVolumeByType(db, range),
    recentRejections(db, range),
  ]);
  return { health, volume, rejections };
}
