import "server-only";
import { sql } from "drizzle-orm";
import type { Db } from "../client";
import { queryRows } from "../rows";

/** Whether telemetry has named this legal entity (the same sources as listEntities). */
export async function entityExists(db: Db, entity: string): Promise<boolean> {
  const rows = await queryRows<{ one: number }>(
    db,
    sql`select 1 as one where exists (select 1 from invoices where entity = ${entity})
          or exists (select 1 from usage_checkpoints where entity = ${entity})
          or exists (select 1 from reconciliation_results where entity = ${entity})`,
  );
  return rows.length > 0;
}

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
