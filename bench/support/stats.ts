/*
 * The timing arithmetic the benchmarks share.
 */

/**
 * The q-quantile (0 to 1) of ascending `sorted`, interpolating linearly between the closest
 * ranks as PostgreSQL's percentile_cont does.
 */
export function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** The q-quantile (0 to 1) of ascending `sorted` as one of its own values (nearest rank); 0 when empty. */
export function nearestRank(sorted: readonly number[], q: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : 0;
}

/** How many seconds `work` takes. */
export async function timedSeconds(work: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e9;
}
