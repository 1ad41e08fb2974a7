import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { queryRows } from "@/db/rows";
import { computeKpis, type KpiReport } from "@/lib/kpi/engine";

/*
 * What "the same result" means for the fault tests: the same stored events, the same KPIs
 * and the same open exceptions. Event lag is left out of the KPI comparison because it
 * measures when the server received each event, which a fault run changes by design.
 */

export async function storedEventKeys(db: Db): Promise<string[]> {
  const rows = await queryRows<{ k: string }>(
    db,
    sql`select source || '|' || event_id as k from events order by 1`,
  );
  return rows.map((r) => r.k);
}

export async function kpisWithoutLag(db: Db, from: Date, to: Date, now: Date) {
  const report: Partial<KpiReport> = await computeKpis(db, { from, to, entity: null }, { now });
  const strip = <T extends { eventLag?: unknown }>(s: T) => {
    const { eventLag: _lag, ...rest } = s;
    return rest;
  };
  return {
    ...strip(report as KpiReport),
    series: report.series!.map(strip),
    byEntity: report.byEntity!.map(strip),
    // Manual interventions and exception ages depend on wall-clock time, compared separately.
    exceptions: undefined,
  };
}

export async function openExceptionKeys(db: Db): Promise<string[]> {
  const rows = await queryRows<{ k: string }>(
    db,
    sql`select type || '|' || problem_key || '|' || coalesce(amount_minor::text, '-') as k
        from exceptions where status in ('open', 'in_progress', 'awaiting_approval', 'awaiting_confirmation') order by 1`,
  );
  return rows.map((r) => r.k);
}
