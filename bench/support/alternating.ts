import { formatCount } from "./table";

/*
 * Comparing two settings of one server on a noisy machine: the runs alternate in ABBA order,
 * off, on, on, off, off, on…, so a neighbour's load or a warming cache lands on both sides,
 * and a drift over the whole series (caches warming, tables growing) favours neither: in
 * plain ABAB the second of each pair always ran on the warmer machine, and "on" came out
 * faster than "off". Each side is summarised by its median, which one disturbed run does
 * not move.
 */

export type Evaluation = "off" | "on";

/** The order of `pairs` off/on pairs: off, on, on, off, off, on, … (ABBA). */
export function alternatingOrder(pairs: number): Evaluation[] {
  return Array.from({ length: 2 * pairs }, (_, i) => (i % 4 === 0 || i % 4 === 3 ? "off" : "on"));
}

/** The middle value (the mean of the middle two for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export interface RateRun {
  clients: number;
  evaluation: Evaluation;
  /** Events per second. */
  rate: number;
}

export interface EvaluationCost {
  clients: number;
  /** Off/on pairs measured (the smaller of the two sides' run counts). */
  pairs: number;
  offMedian: number;
  onMedian: number;
  /** onMedian / offMedian: 1 is free, 0.95 is the limit. */
  ratio: number;
  /** 1 − ratio. */
  cost: number;
  /** Each pair's own on/off, in run order: how much the machine's noise moves one pair. */
  pairRatios: number[];
}

/** What evaluating rules costs, per client count, from alternating runs' medians. */
export function evaluationCosts(runs: readonly RateRun[]): EvaluationCost[] {
  const costs: EvaluationCost[] = [];
  for (const clients of new Set(runs.map((r) => r.clients))) {
    const side = (evaluation: Evaluation) =>
      runs.filter((r) => r.clients === clients && r.evaluation === evaluation).map((r) => r.rate);
    const off = side("off");
    const on = side("on");
    const pairs = Math.min(off.length, on.length);
    if (pairs === 0) continue;
    const offMedian = median(off);
    const onMedian = median(on);
    const ratio = onMedian / offMedian;
    costs.push({
      clients,
      pairs,
      offMedian,
      onMedian,
      ratio,
      cost: 1 - ratio,
      pairRatios: Array.from({ length: pairs }, (_, i) => on[i]! / off[i]!),
    });
  }
  return costs;
}

/** One client count's comparison: both medians, each pair's on/off, the cost against `maxCost`. */
export function describeEvaluationCost(
  c: EvaluationCost,
  maxCost: number,
  minTrustedPairs: number,
): string {
  const spread = `pairs ${c.pairRatios.map((r) => r.toFixed(3)).join(", ")}`;
  const verdict = c.cost <= maxCost ? "met" : "NOT met";
  const trusted =
    c.pairs >= minTrustedPairs ? "" : ` (fewer than ${minTrustedPairs} pairs: indicative only)`;
  return (
    `alert evaluation with ${c.clients} clients: median off ${formatCount(c.offMedian)}, ` +
    `on ${formatCount(c.onMedian)} events/s; on/off ${c.ratio.toFixed(3)} (${spread}), ` +
    `cost ${(100 * c.cost).toFixed(1)} % — target ≤ ${100 * maxCost} % ${verdict}${trusted}`
  );
}

/** The last line's part on evaluation: on/off of the medians per client count. */
export function evaluationSummary(costs: readonly EvaluationCost[]): string {
  if (costs.length === 0) return "";
  const each = costs.map((c) => `${c.ratio.toFixed(3)} (${c.clients} clients)`).join(", ");
  const pairs = Math.min(...costs.map((c) => c.pairs));
  return `alerts on/off ${each}, medians of ${pairs} ABBA pair${pairs === 1 ? "" : "s"}`;
}
