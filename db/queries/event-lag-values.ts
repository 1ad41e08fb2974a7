import "server-only";
import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../client";
import { queryRows } from "../rows";
import { planRollupReads } from "./rollup-reads";

/*
 * Step 2 of the event lag percentiles (./event-lag.ts): the few values around each rank,
 * read from their fine bucket only.
 */

export interface LookupRequest {
  i: number;
  bucket: number;
  from: string;
  to: string;
  entity: string | null;
  offset: number;
  limit: number;
}

/**
 * Where a request's fine counts come from (event_lag_fine_days has no monthly table): whole
 * UTC days, and its part-days either raw or as their day less the rest of it, whichever
 * spans less time up to now, as for the histogram (db/queries/rollup-reads.ts).
 */
function fineCountSources(request: LookupRequest) {
  const window = { from: new Date(request.from), to: new Date(request.to), entity: null };
  const plan = planRollupReads(window, new Date(), false);
  return {
    days: plan.addDays.map(({ first, last }) => ({ from: first, to: last, sign: 1 })),
    raw: plan.raw.map(({ range: [from, to], sign }) => ({
      from: from.toISOString(),
      to: to.toISOString(),
      sign,
    })),
  };
}

type Counted = { i: number; bucket: number; entity: string | null } & ReturnType<
  typeof fineCountSources
>;

/** The 8 fine buckets of a bucket (migration 0024: fine >> 3 is the bucket). */
const FINE_OF = (bucket: SQL) =>
  sql`array(select generate_series(${bucket} * 8, ${bucket} * 8 + 7))`;
const FINE = sql`closeline_lag_fine_bucket(e.lag_ms)`;

/**
 * A request's counts as rows (key, n): its whole days from a daily table keyed by fine
 * bucket, day and entity (its `key` column), its raw ranges from the events (`eventKey`),
 * each signed. `r` is the request (days, raw, entity); `fineIs` says which fine buckets.
 * Each range is its own index range (lateral, OFFSET 0): as a join, the planner read every
 * day of the fine buckets and filtered by the range.
 */
function windowCounts(
  table: "event_lag_fine_days" | "event_lag_value_days",
  key: SQL,
  eventKey: SQL,
  fineIs: (fine: SQL) => SQL,
): SQL {
  return sql`(
    select d.key, w.sign * d.events as n
    from jsonb_to_recordset(r.days) as w("from" date, "to" date, sign int)
    cross join lateral (
      select d.${key} as key, d.events from ${sql.raw(table)} d
      where ${fineIs(sql`d.fine`)} and d.day >= w."from" and d.day < w."to"
        and (r.entity is null or d.entity = r.entity)
      offset 0
    ) d
    union all
    select e.key, w.sign
    from jsonb_to_recordset(r.raw) as w("from" timestamptz, "to" timestamptz, sign int)
    cross join lateral (
      select ${eventKey} as key from events e
      where ${fineIs(FINE)} and e.received_at >= w."from" and e.received_at < w."to"
        and (r.entity is null or e.entity = r.entity)
      offset 0
    ) e
  )`;
}

/**
 * The values of each request, ascending, in request order. A request names a bucket, its
 * window and entity, and the ranks it wants in it (offset, limit). First the counts of the
 * bucket's 8 fine buckets in the window (whole days from event_lag_fine_days, the ends from
 * the events), which place those ranks in one or two fine buckets; then the values of those
 * as counts per distinct value (event_lag_value_days for whole days, the events for the
 * ends), so a day's share of the read is its distinct lags, not its events.
 */
export async function lookUpValues(db: Db, requests: LookupRequest[]): Promise<number[][]> {
  const values = requests.map(() => [] as number[]);
  if (requests.length === 0) return values;

  const counted: Counted[] = requests.map((r) => ({
    i: r.i,
    bucket: r.bucket,
    entity: r.entity,
    ...fineCountSources(r),
  }));
  const counts = await queryRows<{ i: number; fine: number; n: string | number }>(
    db,
    sql`select r.i, c.key as fine, sum(c.n) as n
        from jsonb_to_recordset(${JSON.stringify(counted)}::jsonb)
          as r(i int, bucket int, entity text, days jsonb, raw jsonb)
        cross join lateral ${windowCounts(
          "event_lag_fine_days",
          sql`fine`,
          FINE,
          (fine) => sql`${fine} = any(${FINE_OF(sql`r.bucket`)})`,
        )} c
        group by r.i, c.key
        -- A part-day read as its day less the rest leaves fine buckets that cancel out.
        having sum(c.n) <> 0
        order by r.i, c.key`,
  );

  // Each request's ranks, placed in the fine buckets holding them.
  const byRequest = new Map<number, { fine: number; n: number }[]>();
  for (const c of counts) {
    byRequest.set(c.i, [...(byRequest.get(c.i) ?? []), { fine: c.fine, n: Number(c.n) }]);
  }
  // The ranks wanted of each fine bucket, with the request's sources to count its values in.
  const fineLookups: {
    j: number;
    i: number;
    fine: number;
    entity: string | null;
    days: Counted["days"];
    raw: Counted["raw"];
    offset: number;
    limit: number;
  }[] = [];
  for (const [k, r] of requests.entries()) {
    let before = 0;
    const wantedFrom = r.offset;
    const wantedTo = r.offset + r.limit;
    for (const { fine, n } of byRequest.get(r.i) ?? []) {
      const from = Math.max(wantedFrom, before);
      const to = Math.min(wantedTo, before + n);
      if (from < to) {
        fineLookups.push({
          j: fineLookups.length,
          i: r.i,
          fine,
          entity: r.entity,
          days: counted[k]!.days,
          raw: counted[k]!.raw,
          offset: from - before,
          limit: to - from,
        });
      }
      before += n;
    }
  }

  // Each fine bucket's values as counts per distinct value (whole days from
  // event_lag_value_days, the ends from the events), placed in order; only the values
  // holding a wanted rank come back, with the ranks [before, before + n) they hold.
  const rows = await queryRows<{ j: number; lag_ms: number | string; before: string; n: string }>(
    db,
    sql`with counts as (
          select r.j, c.key as lag_ms, sum(c.n) as n
          from jsonb_to_recordset(${JSON.stringify(fineLookups)}::jsonb)
            as r(j int, fine int, entity text, days jsonb, raw jsonb)
          cross join lateral ${windowCounts(
            "event_lag_value_days",
            sql`lag_ms`,
            sql`e.lag_ms`,
            (fine) => sql`${fine} = r.fine`,
          )} c
          group by r.j, c.key
          having sum(c.n) <> 0
        ), placed as (
          select c.*, sum(c.n) over (partition by c.j order by c.lag_ms) - c.n as before
          from counts c
        )
        select p.j, p.lag_ms, p.before, p.n
        from placed p
        join jsonb_to_recordset(${JSON.stringify(fineLookups.map(({ j, offset, limit }) => ({ j, offset, limit })))}::jsonb)
          as r(j int, "offset" int, "limit" int) on r.j = p.j
        where p.before < r."offset" + r."limit" and p.before + p.n > r."offset"
        order by p.j, p.lag_ms`,
  );
  const byLookup = new Map<number, { lagMs: number; before: number; n: number }[]>();
  for (const row of rows) {
    const held = byLookup.get(row.j) ?? [];
    held.push({ lagMs: Number(row.lag_ms), before: Number(row.before), n: Number(row.n) });
    byLookup.set(row.j, held);
  }
  // In fine-bucket order within a request, so its values come out ascending.
  for (const lookup of fineLookups) {
    const held = byLookup.get(lookup.j) ?? [];
    for (let rank = lookup.offset; rank < lookup.offset + lookup.limit; rank++) {
      const value = held.find((v) => v.before <= rank && rank < v.before + v.n);
      // A rank no value holds: the counts and the values disagree, which resolve reports.
      if (value) values[lookup.i]!.push(value.lagMs);
    }
  }
  return values;
}
