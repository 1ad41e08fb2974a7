import "server-only";
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

/** A bucket's place in the sorted values: it holds ranks [before, before + count). */
export interface BucketSpan extends BucketCount {
  before: number;
}

/** The spans of a whole histogram, in bucket order, and the number of values. */
export function cumulativeSpans(histogram: readonly BucketCount[]): {
  spans: BucketSpan[];
  total: number;
} {
  let total = 0;
  const spans = histogram
    .filter((b) => b.count > 0)
    .sort((a, b) => a.bucket - b.bucket)
    .map((b) => {
      const span = { ...b, before: total };
      total += b.count;
      return span;
    });
  return { spans, total };
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

/** The percentile between the values at ranks lo and hi: float8_lerp in PostgreSQL's orderedsetaggs.c, so the float is the same. */
export function interpolate({ fraction }: RankPair, low: number, high: number): number {
  return low + fraction * (high - low);
}

/**
 * Which values to read for the quantiles of `total` values, given the spans of (at least)
 * the buckets holding the ranks percentile_cont needs; a histogram's other buckets may be
 * left out, which is how the database answers (db/queries/event-lag.ts).
 */
export function planPercentiles(
  spans: readonly BucketSpan[],
  total: number,
  quantiles: readonly number[],
): PercentilePlan {
  if (total === 0) {
    return { total, lookups: [], resolve: () => quantiles.map(() => null) };
  }
  const pairs = quantiles.map((q) => interpolationRanks(total, q));
  const placed = new Map<number, { bucket: number; offset: number }>();
  for (const rank of pairs.flatMap((p) => [p.lo, p.hi])) {
    const span = spans.find((s) => s.before <= rank && rank < s.before + s.count);
    if (!span) throw new Error(`No bucket holds rank ${rank} of ${total}`);
    placed.set(rank, { bucket: span.bucket, offset: rank - span.before });
  }

  // One lookup per bucket, spanning the ranks wanted from it.
  const wanted = new Map<number, { first: number; last: number }>();
  for (const { bucket, offset } of placed.values()) {
    const range = wanted.get(bucket);
    if (!range) wanted.set(bucket, { first: offset, last: offset });
    else
      wanted.set(bucket, {
        first: Math.min(range.first, offset),
        last: Math.max(range.last, offset),
      });
  }
  const lookups = [...wanted].map(([bucket, { first, last }]) => ({
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
      return pairs.map((pair) => interpolate(pair, valueAt(pair.lo), valueAt(pair.hi)));
    },
  };
}
