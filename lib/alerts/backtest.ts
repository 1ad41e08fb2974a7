import type { Db } from "@/db/client";
import { openExceptionCountsOver } from "@/db/queries/alerts";
import { EACH_ENTITY, type AlertCondition } from "@/lib/contract/alert-rules";
import { durationMs } from "@/lib/contract/duration";
import { InvalidInput } from "@/lib/errors";
import { measure, type Measurement } from "./measure";
import { parseAlertRule } from "./rules";

/*
 * How often a rule would have fired over the last 30 days of stored data, before it is saved.
 * The rule is read at a coarse step and each reading judged as the evaluator would:
 *
 * - `kpi`: the figure over the rule's window, every 6 hours (120 readings);
 * - `exceptions`: the open count from the exceptions' opening and closing times, every hour.
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

async function exceptionReadings(
  db: Db,
  condition: Extract<AlertCondition, { kind: "exceptions"; trigger: "open_count" }>,
  entity: string | null,
  instants: Date[],
  stepMs: number,
): Promise<{ at: Date; measured: Reading[] }[]> {
  const counts = await openExceptionCountsOver(db, {
    type: condition.type,
    from: instants[0]!,
    to: instants[instants.length - 1]!,
    stepMs,
  });
  return instants.map((at) => {
    const here = counts.filter((c) => c.at.getTime() === at.getTime());
    const judge = (dimension: string, open: number) => ({
      dimension,
      breaching: open >= condition.atLeast,
    });
    if (entity === EACH_ENTITY) {
      return {
        at,
        measured: here.filter((c) => c.entity !== "").map((c) => judge(c.entity, c.open)),
      };
    }
    const open =
      entity === null
        ? here.reduce((sum, c) => sum + c.open, 0)
        : (here.find((c) => c.entity === entity)?.open ?? 0);
    return { at, measured: [judge(entity ?? "", open)] };
  });
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
    // Only a count has a history to replay; "new" and "sla_breach" depend on each exception's own moments.
    if (condition.trigger !== "open_count") {
      throw new InvalidInput(`A ${condition.trigger} exceptions rule cannot be backtested`, [
        "condition.trigger: only open_count exceptions rules are backtested",
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
