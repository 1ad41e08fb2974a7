import type { Db } from "@/db/client";
import { amountAtRiskOver } from "@/db/queries/alert-conditions";
import { openExceptionCountsOver } from "@/db/queries/alerts";
import { ALERTABLE_EXCEPTION_TYPES, type AlertCondition } from "@/lib/contract/alert-rules";
import { durationMs } from "@/lib/contract/duration";
import { InvalidInput } from "@/lib/errors";
import { measure, type Measurement } from "./measure";
import { countsPerDimension, sumsPerDimension } from "./measure-exceptions";
import { parseAlertRule } from "./rules";

/*
 * How often a rule would have fired over the last 30 days of stored data, before it is saved.
 * The rule is read at a coarse step and each reading judged as the evaluator would:
 *
 * - `kpi`: the figure over the rule's window, every 6 hours (120 readings);
 * - `exceptions`: the open count, or the amount at risk, from the exceptions' opening and
 *   closing times, every hour (each amount as it is stored now, in today's reporting currency).
 *
 * A breach fires once its readings have held for the rule's `for` (a `for` shorter than the
 * step is met by one breaching reading); a reading with nothing to measure before that
 * drops it, as it drops a pending alert. Other conditions are not backtested.
 */

export const BACKTEST_DAYS = 30;
const HOUR_MS = 3_600_000;
const STEPS: Partial<Record<AlertCondition["kind"], { ms: number; iso: string }>> = {
  kpi: { ms: 6 * HOUR_MS, iso: "PT6H" },
  exceptions: { ms: HOUR_MS, iso: "PT1H" },
};

export interface BacktestResult {
  from: Date;
  to: Date;
  /** The step between readings, ISO 8601. */
  step: string;
  readings: number;
  /** How many times an alert would have fired (each rule × dimension counted apart). */
  firings: number;
  /** Readings (rule × dimension × instant) in breach. */
  breachingReadings: number;
  dimensions: string[];
  firstFiringAt: Date | null;
  lastFiringAt: Date | null;
}

type Reading = Pick<Measurement, "dimension" | "breaching">;

/** Replays the evaluator's pending → firing → resolved over readings in time order. */
export function countFirings(
  readings: { at: Date; measured: Reading[] }[],
  forMs: number,
  stepMs: number,
): Pick<BacktestResult, "firings" | "breachingReadings" | "firstFiringAt" | "lastFiringAt"> {
  const state = new Map<string, { since: Date; firing: boolean }>();
  let firings = 0;
  let breachingReadings = 0;
  let firstFiringAt: Date | null = null;
  let lastFiringAt: Date | null = null;
  const needed = forMs <= stepMs ? 0 : forMs;
  for (const { at, measured } of readings) {
    const seen = new Set<string>();
    for (const m of measured) {
      seen.add(m.dimension);
      const current = state.get(m.dimension);
      if (m.breaching === true) {
        breachingReadings++;
        const run = current ?? { since: at, firing: false };
        if (!run.firing && at.getTime() - run.since.getTime() >= needed) {
          run.firing = true;
          firings++;
          firstFiringAt ??= at;
          lastFiringAt = at;
        }
        state.set(m.dimension, run);
      } else if (m.breaching === false || !current?.firing) {
        state.delete(m.dimension);
      }
    }
    // A dimension no longer measured: a pending breach is dropped, a firing one stays.
    for (const [dimension, run] of state) {
      if (!seen.has(dimension) && !run.firing) state.delete(dimension);
    }
  }
  return { firings, breachingReadings, firstFiringAt, lastFiringAt };
}

/**
 * The readings at each instant, from rows of one kind per instant and entity. A dimension
 * missing at an instant reads as mended, as the evaluator reads it (absentMeasurement): an
 * entity whose exceptions all closed counts, or sums, zero.
 */
function readingsAt<Row extends { at: Date }>(
  instants: Date[],
  rows: Row[],
  judge: (here: Row[]) => Reading[],
): { at: Date; measured: Reading[] }[] {
  const byInstant = new Map<number, Row[]>();
  for (const row of rows) {
    const here = byInstant.get(row.at.getTime());
    if (here) here.push(row);
    else byInstant.set(row.at.getTime(), [row]);
  }
  const readings = instants.map((at) => ({
    at,
    measured: judge(byInstant.get(at.getTime()) ?? []),
  }));
  const everyDimension = new Set(readings.flatMap((r) => r.measured.map((m) => m.dimension)));
  for (const reading of readings) {
    const here = new Set(reading.measured.map((m) => m.dimension));
    for (const dimension of everyDimension) {
      if (!here.has(dimension)) reading.measured.push({ dimension, breaching: false });
    }
  }
  return readings;
}

type BacktestedExceptions = Extract<
  AlertCondition,
  { kind: "exceptions"; trigger: "open_count" | "amount_at_risk" }
>;

/**
 * An exceptions rule's readings, judged as the evaluator judges them (./measure-exceptions.ts):
 * the open count, or the amount at risk, per entity for "*", else the entity's or the company's.
 */
async function exceptionReadings(
  db: Db,
  condition: BacktestedExceptions,
  entity: string | null,
  instants: Date[],
  stepMs: number,
): Promise<{ at: Date; measured: Reading[] }[]> {
  const span = { from: instants[0]!, to: instants[instants.length - 1]!, stepMs };
  if (condition.trigger === "amount_at_risk") {
    const types = condition.type === null ? ALERTABLE_EXCEPTION_TYPES : [condition.type];
    const sums = await amountAtRiskOver(db, { types, ...span });
    return readingsAt(instants, sums, (here) =>
      sumsPerDimension(here, entity, condition.aboveMinor),
    );
  }
  const counts = await openExceptionCountsOver(db, { type: condition.type, ...span });
  return readingsAt(instants, counts, (here) =>
    countsPerDimension(
      here.map((c) => ({ entity: c.entity, count: c.open })),
      entity,
      condition.atLeast,
    ),
  );
}

/** Backtests a rule as written (not yet saved): the same contract as creating one. */
export async function backtestRule(
  db: Db,
  body: unknown,
  now: Date = new Date(),
): Promise<BacktestResult> {
  const rule = parseAlertRule(body);
  const step = STEPS[rule.condition.kind];
  if (!step) {
    throw new InvalidInput(`A ${rule.condition.kind} rule cannot be backtested`, [
      "condition.kind: only kpi and exceptions rules are backtested",
    ]);
  }
  // Readings on the step's grid, so two backtests a minute apart read the same instants.
  const to = new Date(Math.floor(now.getTime() / step.ms) * step.ms);
  const from = new Date(to.getTime() - BACKTEST_DAYS * 86_400_000);
  const instants: Date[] = [];
  for (let t = from.getTime() + step.ms; t <= to.getTime(); t += step.ms)
    instants.push(new Date(t));
  const condition = rule.condition;
  let readings: { at: Date; measured: Reading[] }[];
  if (condition.kind === "exceptions") {
    // A count and a sum have a history to replay; "new" and "sla_breach" depend on each
    // exception's own moments.
    if (condition.trigger !== "open_count" && condition.trigger !== "amount_at_risk") {
      throw new InvalidInput(`A ${condition.trigger} exceptions rule cannot be backtested`, [
        "condition.trigger: only open_count and amount_at_risk exceptions rules are backtested",
      ]);
    }
    readings = await exceptionReadings(db, condition, rule.entity, instants, step.ms);
  } else {
    // One after another: a backtest must not take every connection the pool has.
    readings = [];
    for (const at of instants) {
      readings.push({
        at,
        measured: await measure(db, { condition, entity: rule.entity, createdAt: now }, at),
      });
    }
  }
  const dimensions = [...new Set(readings.flatMap((r) => r.measured.map((m) => m.dimension)))];
  return {
    from,
    to,
    step: step.iso,
    readings: instants.length,
    dimensions: dimensions.sort(),
    ...countFirings(readings, durationMs(rule.for) ?? 0, step.ms),
  };
}
