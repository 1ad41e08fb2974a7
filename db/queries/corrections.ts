import "server-only";
import { and, desc, eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { corrections, type Correction, type CorrectionStatus } from "@/db/schema";

export interface ListCorrectionsParams {
  status?: CorrectionStatus;
  limit: number;
  /**
   * The id of the last row of the previous page. Compared by the row's own stored time, so
   * the microseconds a JavaScript Date would drop cannot make a page skip or repeat a row.
   */
  afterId?: string;
}

/** Corrections newest first, one page at a time (keyset, so a page never skips or repeats). */
export async function listCorrections(
  db: Db,
  params: ListCorrectionsParams,
): Promise<{ items: Correction[]; more: boolean }> {
  const where: SQL[] = [];
  if (params.status) where.push(eq(corrections.status, params.status));
  if (params.afterId) {
    where.push(
      sql`(${corrections.proposedAt}, ${corrections.id}) <
        (select c.proposed_at, c.id from corrections c where c.id = ${params.afterId}::uuid)`,
    );
  }
  const rows = await db
    .select()
    .from(corrections)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(corrections.proposedAt), desc(corrections.id))
    .limit(params.limit + 1);
  return { items: rows.slice(0, params.limit), more: rows.length > params.limit };
}

export async function findCorrection(db: Db, id: string): Promise<Correction | null> {
  const [row] = await db.select().from(corrections).where(eq(corrections.id, id)).limit(1);
  return row ?? null;
}
