import "server-only";
import { sql } from "drizzle-orm";
import { materialityThresholds, type ExceptionStatus, type ExceptionType } from "../schema";
import type { Db } from "../client";
import { queryRows } from "../rows";

/** An exception still to be worked, as the demo's operations team sees its queue. */
export interface ExceptionToWork {
  id: string;
  type: ExceptionType;
  problemKey: string;
  status: ExceptionStatus;
  ownerId: string | null;
  version: number;
  openedAt: Date;
  updatedAt: Date;
  entity: string | null;
  amountMinor: number | null;
  currency: string | null;
  /** The reconciliation run of a break. */
  runId: string | null;
  details: Record<string, unknown>;
}

/**
 * The exceptions not yet closed that had opened by `asOf`, oldest first. A replay of history
 * asks as of a simulated moment, so it never acts on what had not happened yet.
 */
export async function listExceptionsToWork(db: Db, asOf: Date): Promise<ExceptionToWork[]> {
  const rows = await queryRows<{
    id: string;
    type: ExceptionType;
    problem_key: string;
    status: ExceptionStatus;
    owner_id: string | null;
    version: number;
    opened_at: Date | string;
    updated_at: Date | string;
    entity: string | null;
    amount_minor: string | number | null;
    currency: string | null;
    run_id: string | null;
    details: Record<string, unknown>;
  }>(
    db,
    sql`select id, type, problem_key, status, owner_id, version, opened_at, updated_at, entity, amount_minor,
          currency, run_id, details
        from exceptions
        where closed_at is null and opened_at <= ${asOf.toISOString()}::timestamptz
        order by opened_at, id`,
  );
  return rows.map((r) => ({
    id: r.id,
    type: r.type,
    problemKey: r.problem_key,
    status: r.status,
    ownerId: r.owner_id,
    version: Number(r.version),
    openedAt: new Date(r.opened_at),
    updatedAt: new Date(r.updated_at),
    entity: r.entity,
    amountMinor: r.amount_minor === null ? null : Number(r.amount_minor),
    currency: r.currency,
    runId: r.run_id,
    details: r.details ?? {},
  }));
}

/** Each entity and currency that has a materiality threshold set. */
export async function listMaterialityScopes(
  db: Db,
): Promise<{ entity: string; currency: string }[]> {
  return db
    .select({
      entity: materialityThresholds.entity,
      currency: materialityThresholds.currency,
    })
    .from(materialityThresholds);
}
