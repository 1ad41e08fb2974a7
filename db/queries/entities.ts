import { sql } from "drizzle-orm";
import type { Db } from "../client";
import { queryRows } from "../rows";

/** Legal entities seen in telemetry, for the entity filter. */
export async function listEntities(db: Db): Promise<string[]> {
  const rows = await queryRows<{ entity: string }>(
    db,
    sql`select entity from (
          select distinct entity from invoices
          union select distinct entity from usage_checkpoints
          union select distinct entity from reconciliation_results
        ) e order by entity`,
  );
  return rows.map((r) => r.entity);
}
