import { sql } from "drizzle-orm";
import type { Db } from "../client";
import { queryRows } from "../rows";
import { n, spanEndIn, type CloseScope, type Num } from "./close-scope";

// Close readiness, check (c): reconciliation breaks above materiality.

export interface ReconciliationBreak {
  runId: string;
  key: string;
  kind: string;
  currency: string;
  expectedMinor: number;
  actualMinor: number;
  toleranceMinor: number;
  varianceMinor: number;
  materialityMinor: number;
  exceptionId: string | null;
}

export interface ReconciliationCounts {
  results: number;
  /** Outside tolerance, whatever the amount. */
  breaks: number;
  /** Outside tolerance and above the entity's materiality, and not cleared by a correction. */
  materialBreaks: number;
  /** Material breaks a booked correction cleared: the target system confirmed it. */
  corrected: number;
}

/** A break is |actual − expected| > tolerance; it blocks the close only above materiality too. */
const breakSql = sql`abs(r.actual_minor - r.expected_minor) > r.tolerance_minor`;
const materialSql = sql`abs(r.actual_minor - r.expected_minor) > coalesce(m.threshold_minor, 0)`;
/**
 * A correction of the break's exception that its target system confirmed booking (the latest
 * `correction.executed` report says executed) clears the break, as a later matching result does.
 */
const correctedSql = sql`exists (
  select 1 from exceptions x join corrections c on c.exception_id = x.id
  where x.type = 'reconciliation_break' and x.problem_key = r.run_id || '/' || r.key
    and (select ce.status from correction_executions ce where ce.correction_id = c.id
         order by ce.event_time desc, ce.event_id desc limit 1) = 'executed')`;
const resultsInScope = (s: CloseScope) => sql`
  from reconciliation_results r
  left join materiality_thresholds m on m.entity = r.entity and m.currency = r.currency
  where r.entity = ${s.entity} and ${spanEndIn(sql`r.period_end`, s)}`;

export async function reconciliationCounts(db: Db, s: CloseScope): Promise<ReconciliationCounts> {
  const [row] = await queryRows<{ results: Num; breaks: Num; material: Num; corrected: Num }>(
    db,
    sql`select count(*) as results, count(*) filter (where ${breakSql}) as breaks,
          count(*) filter (where ${breakSql} and ${materialSql} and not ${correctedSql}) as material,
          count(*) filter (where ${breakSql} and ${materialSql} and ${correctedSql}) as corrected
        ${resultsInScope(s)}`,
  );
  return {
    results: n(row?.results ?? 0),
    breaks: n(row?.breaks ?? 0),
    materialBreaks: n(row?.material ?? 0),
    corrected: n(row?.corrected ?? 0),
  };
}

/**
 * The table keeps only the latest result per runId + key, so every row here is current. The
 * exception of a break is the one keyed "runId/key" (db/queries/exception-sync.ts).
 */
export async function materialReconciliationBreaks(
  db: Db,
  s: CloseScope,
  limit: number,
): Promise<ReconciliationBreak[]> {
  const rows = await queryRows<{
    run_id: string;
    key: string;
    kind: string;
    currency: string;
    expected_minor: Num;
    actual_minor: Num;
    tolerance_minor: Num;
    variance: Num;
    materiality: Num;
    exception_id: string | null;
  }>(
    db,
    sql`select r.run_id, r.key, r.kind, r.currency, r.expected_minor, r.actual_minor, r.tolerance_minor,
          abs(r.actual_minor - r.expected_minor) as variance, coalesce(m.threshold_minor, 0) as materiality,
          (select x.id from exceptions x
            where x.type = 'reconciliation_break' and x.problem_key = r.run_id || '/' || r.key) as exception_id
        ${resultsInScope(s)} and ${breakSql} and ${materialSql} and not ${correctedSql}
        order by variance desc, r.run_id, r.key
        limit ${limit}`,
  );
  return rows.map((r) => ({
    runId: r.run_id,
    key: r.key,
    kind: r.kind,
    currency: r.currency,
    expectedMinor: n(r.expected_minor),
    actualMinor: n(r.actual_minor),
    toleranceMinor: n(r.tolerance_minor),
    varianceMinor: n(r.variance),
    materialityMinor: n(r.materiality),
    exceptionId: r.exception_id,
  }));
}
