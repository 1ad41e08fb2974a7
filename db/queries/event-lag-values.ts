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

/** The 8 fine buckets of a bucket (migration 0024: fine >> 3 is the bucket). */
const FINE_OF = (bucket: SQL) =>
  sql`array(select generate_series(${bucket} * 8, ${bucket} * 8 + 7))`;
const FINE = sql`closeline_lag_fine_bucket(e.lag_ms)`;

/**
 * The values of each request, ascending, in request order. A request names a bucket, its
 * window and entity, and the ranks it wants in it (offset, limit). First the counts of the
 * bucket's 8 fine buckets in the window (whole days from event_lag_fine_days, the ends from
 * the events), which place those ranks in one or two fine buckets; then only their values,
 * through events_lag_fine_idx.
 */
export async function lookUpValues(db: Db, requests: LookupRequest[]): Promise<number[][]> {
  const values = requests.map(() => [] as number[]);
  if (requests.length === 0) return values;

  const counted = requests.map((r) => ({
    i: r.i,
    bucket: r.bucket,
    entity: r.entity,
    ...fineCountSources(r),
  }));
  const counts = await queryRows<{ i: number; fine: number; n: string | number }>(
    db,
    sql`select r.i, c.fine, sum(c.n) as n
        from jsonb_to_recordset(${JSON.stringify(counted)}::jsonb)
          as r(i int, bucket int, entity text, days jsonb, raw jsonb)
        cross join lateral (
          -- Each range its own index range (lateral, OFFSET 0): as a join, the planner read
          -- every day of the fine buckets and filtered by the range.
          select d.fine, w.sign * d.events as n
          from jsonb_to_recordset(r.days) as w("from" date, "to" date, sign int)
          cross join lateral (
            select d.fine, d.events from event_lag_fine_days d
            where d.fine = any(${FINE_OF(sql`r.bucket`)}) and d.day >= w."from" and d.day < w."to"
              and (r.entity is null or d.entity = r.entity)
            offset 0
          ) d
          union all
          select e.fine, w.sign
          from jsonb_to_recordset(r.raw) as w("from" timestamptz, "to" timestamptz, sign int)
          cross join lateral (
            select ${FINE} as fine from events e
            where ${FINE} = any(${FINE_OF(sql`r.bucket`)})
              and e.received_at >= w."from" and e.received_at < w."to"
              and (r.entity is null or e.entity = r.entity)
            offset 0
          ) e
        ) c
        group by r.i, c.fine
        -- A part-day read as its day less the rest leaves fine buckets that cancel out.
        having sum(c.n) <> 0
        order by r.i, c.fine`,
  );

  // Each request's ranks, placed in the fine buckets holding them.
  const byRequest = new Map<number, { fine: number; n: number }[]>();
  for (const c of counts) {
    byRequest.set(c.i, [...(byRequest.get(c.i) ?? []), { fine: c.fine, n: Number(c.n) }]);
  }
  const fineLookups: {
    i: number;
    fine: number;
    from: string;
    to: string;
    entity: string | null;
    offset: number;
    limit: number;
  }[] = [];
  for (const r of requests) {
    let before = 0;
    const wantedFrom = r.offset;
    const wantedTo = r.offset + r.limit;
    for (const { fine, n } of byRequest.get(r.i) ?? []) {
      const from = Math.max(wantedFrom, before);
      const to = Math.min(wantedTo, before + n);
      if (from < to) {
        fineLookups.push({
          i: r.i,
          fine,
          from: r.from,
          to: r.to,
          entity: r.entity,
          offset: from - before,
          limit: to - from,
        });
      }
      before += n;
    }
  }

  const rows = await queryRows<{ i: number; lag_ms: number | string }>(
    db,
    sql`select r.i, v.lag_ms
        from jsonb_to_recordset(${JSON.stringify(fineLookups)}::jsonb)
          as r(i int, fine int, "from" timestamptz, "to" timestamptz, entity text, "offset" int, "limit" int)
        cross join lateral (
          select e.lag_ms from events e
          where ${FINE} = r.fine and e.received_at >= r."from" and e.received_at < r."to"
            and (r.entity is null or e.entity = r.entity)
          order by e.lag_ms offset r."offset" limit r."limit"
        ) v
        order by r.i, r.fine, v.lag_ms`,
  );
  for (const row of rows) values[row.i]!.push(Number(row.lag_ms));
  return values;
}
