import type { Db } from "@/db/client";
import { openExceptionCountsByEntity } from "@/db/queries/alerts";
import { sourceTypeActivity } from "@/db/queries/ingestion";
import {
  EACH_ENTITY,
  breaches,
  durationMs,
  type AlertCondition,
  type KpiMetric,
} from "@/lib/contract/alerts";
import { HEALTH_WINDOW_DAYS, QUIET_LOOKBACK_DAYS, assessFreshness } from "@/lib/ingest/health";
import { computeKpis, type KpiReport, type KpiSummary } from "@/lib/kpi/engine";

/*
 * What a rule's condition reads now, per dimension. `breaching` null means there is nothing
 * to measure (a KPI with no denominator): that never fires, and never calls a firing alert
 * mended either.
 */

export interface Measurement {
  /** '' for the whole company, else an entity or a `source / type` pair. */
  dimension: string;
  value: number | null;
  threshold: number | null;
  breaching: boolean | null;
}

const DAY_MS = 86_400_000;

function readPath(report: Partial<KpiReport> | KpiSummary, metric: KpiMetric): number | null {
  let node: unknown = report;
  for (const part of metric.split(".")) {
    if (node === null || typeof node !== "object") return null;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === "number" && Number.isFinite(node) ? node : null;
}

export async function measure(
  db: Db,
  rule: { condition: AlertCondition; entity: string | null },
  now: Date,
): Promise<Measurement[]> {
  const condition = rule.condition;
  switch (condition.kind) {
    case "kpi": {
      const each = rule.entity === EACH_ENTITY;
      const windowMs = durationMs(condition.window)!;
      const report = await computeKpis(
        db,
        {
          from: new Date(now.getTime() - windowMs),
          to: now,
          entity: each ? null : rule.entity,
        },
        { now, include: { series: false, byEntity: each, details: false } },
      );
      const judge = (dimension: string, value: number | null): Measurement => ({
        dimension,
        value,
        threshold: condition.value,
        breaching: value === null ? null : breaches(value, condition.op, condition.value),
      });
      if (!each) return [judge(rule.entity ?? "", readPath(report, condition.metric))];
      return report.byEntity.map((row) => judge(row.entity, readPath(row, condition.metric)));
    }
    case "silence": {
      const activity = await sourceTypeActivity(db, {
        from: new Date(now.getTime() - HEALTH_WINDOW_DAYS * DAY_MS),
        to: now,
        lookbackFrom: new Date(now.getTime() - QUIET_LOOKBACK_DAYS * DAY_MS),
      });
      const fixedMs = condition.after === "learned" ? null : durationMs(condition.after);
      return activity
        .filter(
          (pair) =>
            (condition.source === null || pair.source === condition.source) &&
            (condition.type === null || pair.type === condition.type),
        )
        .map((pair) => {
          const dimension = `${pair.source} / ${pair.type}`;
          const assessed = assessFreshness(pair, now);
          if (fixedMs !== null) {
            return {
              dimension,
              value: assessed.sinceLastMs,
              threshold: fixedMs,
              breaching: assessed.sinceLastMs > fixedMs,
            };
          }
          // The cadence learned by ingestion health; too little history to learn one is no data.
          return {
            dimension,
            value: assessed.sinceLastMs,
            threshold: assessed.allowanceMs,
            breaching: assessed.freshness === "unknown" ? null : assessed.freshness === "silent",
          };
        });
    }
    case "exceptions": {
      const counts = await openExceptionCountsByEntity(db, condition.type);
      const judge = (dimension: string, open: number): Measurement => ({
        dimension,
        value: open,
        threshold: condition.atLeast,
        breaching: open >= condition.atLeast,
      });
      if (rule.entity === EACH_ENTITY) {
        return counts.filter((c) => c.entity !== "").map((c) => judge(c.entity, c.open));
      }
      const open =
        rule.entity === null
          ? counts.reduce((sum, c) => sum + c.open, 0)
          : (counts.find((c) => c.entity === rule.entity)?.open ?? 0);
      return [judge(rule.entity ?? "", open)];
    }
  }
}

/**
 * What a dimension that measured nothing this time reads: an exception count that vanished
 * is zero (mended); a KPI or a source that vanished is no data.
 */
export function absentMeasurement(condition: AlertCondition, dimension: string): Measurement {
  if (condition.kind === "exceptions") {
    return { dimension, value: 0, threshold: condition.atLeast, breaching: false };
  }
  return { dimension, value: null, threshold: null, breaching: null };
}
