import type { Db } from "@/db/client";
import { sourceTypeActivity } from "@/db/queries/ingestion";
import {
  EACH_ENTITY,
  breaches,
  type AlertCondition,
  type Comparison,
  type KpiMetric,
} from "@/lib/contract/alert-rules";
import { durationMs } from "@/lib/contract/duration";
import { HEALTH_WINDOW_DAYS, QUIET_LOOKBACK_DAYS, assessFreshness } from "@/lib/ingest/health";
import { computeKpis, type KpiReport, type KpiSummary } from "@/lib/kpi/engine";
import { measureClose } from "./measure-close";
import { measureExceptions } from "./measure-exceptions";
import type { Measurement } from "./measurement";

export type { Measurement } from "./measurement";

type KpiChangeUnit = Extract<AlertCondition, { kind: "kpi_change" }>["unit"];

/*
 * What a rule's condition reads now, per dimension (./measurement.ts): the KPI conditions and
 * silence here, exceptions in ./measure-exceptions.ts, the close in ./measure-close.ts.
 */

const DAY_MS = 86_400_000;

function readPath(report: Partial<KpiReport> | KpiSummary, metric: KpiMetric): number | null {
  let node: unknown = report;
  for (const part of metric.split(".")) {
    if (node === null || typeof node !== "object") return null;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === "number" && Number.isFinite(node) ? node : null;
}

/** What a rule is judged on: its condition, its entity, and when it was made. */
export interface MeasuredRule {
  condition: AlertCondition;
  entity: string | null;
  /** "New" exceptions are those opened since the rule was made. */
  createdAt: Date;
}

export async function measure(db: Db, rule: MeasuredRule, now: Date): Promise<Measurement[]> {
  const condition = rule.condition;
  switch (condition.kind) {
    case "kpi": {
      const readings = await kpiReadings(db, condition, rule.entity, now, 0);
      return [...readings].map(([dimension, value]) =>
        judge(dimension, value, condition.op, condition.value),
      );
    }
    case "kpi_change": {
      const windowMs = durationMs(condition.window)!;
      const [current, previous] = await Promise.all([
        kpiReadings(db, condition, rule.entity, now, 0),
        kpiReadings(db, condition, rule.entity, now, windowMs),
      ]);
      return [...current].map(([dimension, value]) =>
        judge(
          dimension,
          kpiChange(value, previous.get(dimension) ?? null, condition.unit),
          condition.op,
          condition.value,
        ),
      );
    }
    case "silence":
      return measureSilence(db, condition, now);
    case "exceptions":
      return measureExceptions(db, { ...rule, condition }, now);
    case "close":
      return measureClose(db, condition, rule.entity, now);
  }
}

function judge(dimension: string, value: number | null, op: Comparison, threshold: number) {
  return {
    dimension,
    value,
    threshold,
    breaching: value === null ? null : breaches(value, op, threshold),
  };
}

/**
 * A figure's change from `previous` to `current`: in points, the difference; in percent, the
 * difference over the previous value's size. Null when there is nothing to compare (either is
 * null) or, for percent, nothing to divide by (previous 0).
 */
export function kpiChange(
  current: number | null,
  previous: number | null,
  unit: KpiChangeUnit,
): number | null {
  if (current === null || previous === null) return null;
  if (unit === "points") return current - previous;
  if (previous === 0) return null;
  return ((current - previous) / Math.abs(previous)) * 100;
}

/**
 * The condition's figure per dimension over the trailing window ending `shiftMs` before
 * `now`: '' (or the entity) for one reading, each entity's for "*".
 */
async function kpiReadings(
  db: Db,
  condition: { metric: KpiMetric; window: string },
  entity: string | null,
  now: Date,
  shiftMs: number,
): Promise<Map<string, number | null>> {
  const each = entity === EACH_ENTITY;
  const windowMs = durationMs(condition.window)!;
  const to = new Date(now.getTime() - shiftMs);
  const report = await computeKpis(
    db,
    { from: new Date(to.getTime() - windowMs), to, entity: each ? null : entity },
    { now, include: { series: false, byEntity: each, details: false } },
  );
  if (!each) return new Map([[entity ?? "", readPath(report, condition.metric)]]);
  return new Map(report.byEntity.map((row) => [row.entity, readPath(row, condition.metric)]));
}

async function measureSilence(
  db: Db,
  condition: Extract<AlertCondition, { kind: "silence" }>,
  now: Date,
): Promise<Measurement[]> {
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
      // Quiet for longer than the whole lookback needs no cadence: the lookback is the line
      // it crossed, and the threshold it is shown against (lib/alerts/figure.ts).
      const pastLookback = assessed.sinceLastMs > QUIET_LOOKBACK_DAYS * DAY_MS;
      return {
        dimension,
        value: assessed.sinceLastMs,
        threshold: pastLookback ? QUIET_LOOKBACK_DAYS * DAY_MS : assessed.allowanceMs,
        breaching: assessed.freshness === "unknown" ? null : assessed.freshness === "silent",
      };
    });
}

/**
 * What a dimension that measured nothing this time reads: an exception count that vanished
 * is zero (mended), and so is an exception or a month that closed; a KPI or a source that
 * vanished is no data.
 */
export function absentMeasurement(condition: AlertCondition, dimension: string): Measurement {
  if (condition.kind === "exceptions") {
    // A count or a sum that vanished is zero; a new exception that vanished was closed.
    const threshold =
      condition.trigger === "new"
        ? null
        : condition.trigger === "amount_at_risk"
          ? condition.aboveMinor
          : condition.atLeast;
    return {
      dimension,
      value: condition.trigger === "new" ? null : 0,
      threshold,
      breaching: false,
    };
  }
  if (condition.kind === "close") {
    // The month was closed, or is no longer one the rule watches (see measure-close.ts).
    return { dimension, value: null, threshold: condition.withinDays, breaching: false };
  }
  return { dimension, value: null, threshold: null, breaching: null };
}
