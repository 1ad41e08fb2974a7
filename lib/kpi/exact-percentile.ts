/*
 * Exact continuous percentiles (PostgreSQL's percentile_cont) from a histogram plus a few
 * looked-up values. The histogram says how many values fall in each bucket, with buckets
 * ordered like the values; that is enough to know which bucket holds the value of a given
 * rank and where in it, so only those few values have to be read and sorted. Nothing is
 * approximated: the answer is the same float percentile_cont computes.
 */

export interface BucketCount {
  bucket: number;
  count: number;
}

/** Read the `limit` values of `bucket` starting at `offset` in ascending order. */
export interface ValueLookup {
  bucket: number;
  offset: number;
  limit: number;
}

export interface PercentilePlan {
  /** How many values there are in all. */
  total: number;
  lookups: ValueLookup[];
  /** Given each lookup's values (ascending, same order as `lookups`), the percentiles asked for. */
  resolve(values: readonly (readonly number[])[]): (number | null)[];
}

interface RankPair {
  lo: number;
  hi: number;
  /** How far between the values at ranks lo and hi the percentile lies. */
  fraction: number;
}

/** The two 0-based ranks percentile_cont interpolates between, computed as PostgreSQL does. */
export function interpolationRanks(total: number, quantile: number): RankPair {
  const position = quantile * (total - 1);
  const lo = Math.floor(position);
  return { lo, hi: Math.ceil(position), fraction: position - lo };
}

export function planPercentiles(
  histogram: readonly BucketCount[],
  quantiles: readonly number[],
): PercentilePlan {
  const buckets = histogram.filter((b) => b.count > 0).sort((a, b) => a.bucket - b.bucket);
  const total = buckets.reduce((sum, b) => sum + b.count, 0);
  if (total === 0) {
    return { total, lookups: [], resolve: () => quantiles.map(() => null) };
  }
  const pairs = quantiles.map((q) => interpolationRanks(total, q));
  const ranks = [...new Set(pairs.flatMap((p) => [p.lo, p.hi]))].sort((a, b) => a - b);

  // Walk the buckets once, placing each wanted rank in the bucket that holds it.
  const placed = new Map<number, { bucket: number; offset: number }>();
  let before = 0;
  let next = 0;
  for (const b of buckets) {
    while (next < ranks.length && ranks[next]! < before + b.count) {
      placed.set(ranks[next]!, { bucket: b.bucket, offset: ranks[next]! - before });
      next++;
    }
    before += b.count;
  }

  // One lookup per bucket, spanning the ranks wanted from it.
  const spans = new Map<number, { first: number; last: number }>();
  for (const { bucket, offset } of placed.values()) {
    const span = spans.get(bucket);
    if (!span) spans.set(bucket, { first: offset, last: offset });
    else
      spans.set(bucket, { first: Math.min(span.first, offset), last: Math.max(span.last, offset) });
  }
  const lookups = [...spans].map(([bucket, { first, last }]) => ({
    bucket,
    offset: first,
    limit: last - first + 1,
  }));

  return {
    total,
    lookups,
    resolve(values) {
      const valueAt = (rank: number): number => {
        const { bucket, offset } = placed.get(rank)!;
        const index = lookups.findIndex((l) => l.bucket === bucket);
        const value = values[index]?.[offset - lookups[index]!.offset];
        if (value === undefined) {
          // The histogram and the values disagree: they were not read from one snapshot.
          throw new Error(`No value at rank ${rank} (bucket ${bucket}, offset ${offset})`);
        }
        return value;
      };
      // float8_lerp in PostgreSQL's orderedsetaggs.c, so the float is the same.
      return pairs.map(({ lo, hi, fraction }) => {
        const low = valueAt(lo);
        return low + fraction * (valueAt(hi) - low);
      });
    },
  };
}
