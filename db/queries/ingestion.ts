import "server-only";
import { sql } from "drizzle-orm";
import type { Db } from "../client";
import { queryRows } from "../rows";
import type { RejectedEventSqlRow } from "./rejected-events";

type Num = string | number | null;

export interface Range {
  from: Date;
  to: Date;
}

/** Accepted events per type received in the range. */
export async function eventVolumeByType(db: Db, range: Range) {
  const rows = await queryRows<{ type: string; events: string; last_received: Date | string }>(
    db,
    sql`select type, count(*) as events, max(received_at) as last_received
        from events
        where received_at >= ${range.from.toISOString()}::timestamptz and received_at < ${range.to.toISOString()}::timestamptz
        group by type order by type`,
  );
  return rows.map((r) => ({
    type: r.type,
    events: Number(r.events),
    lastReceived: new Date(r.last_received),
  }));
}

/** The newest rejected items, with the reasons the sender was given. */
export async function recentRejections(db: Db, range: Range, limit = 50) {
  const rows = await queryRows<RejectedEventSqlRow & { channel: string }>(
    db,
    sql`select id, received_at, channel, source, event_id, type, errors
        from rejected_events
        where received_at >= ${range.from.toISOString()}::timestamptz and received_at < ${range.to.toISOString()}::timestamptz
        order by received_at desc, id desc limit ${limit}`,
  );
  return rows.map((r) => ({ ...r, id: Number(r.id), receivedAt: new Date(r.received_at) }));
}

// ---------------------------------------------------------------------------------------------
// Health per source and event type (lib/ingest/health.ts decides what is late)

export interface SourceTypeActivity {
  source: string;
  type: string;
  /** The latest event of the pair received up to `to`, whenever that was. */
  lastReceivedAt: Date;
  /** Events received in [from, to). */
  events: number;
  /**
   * Distinct instants at which the pair's events arrived in [from, to): a batch of events stored
   * by one request shares its receipt time, and counts as one arrival.
   */
  arrivals: number;
  /** The median time between consecutive arrivals in [from, to), or null with fewer than two. */
  medianGapMs: number | null;
  /** The longest time between consecutive arrivals in [lookbackFrom, to), or null. */
  longestGapMs: number | null;
}

/**
 * Every source × type that ever sent an accepted event, with its latest arrival and what its
 * arrivals in [from, to) say about its usual cadence.
 */
export async function sourceTypeActivity(
  db: Db,
  range: Range & { lookbackFrom: Date },
): Promise<SourceTypeActivity[]> {
  const from = sql`${range.from.toISOString()}::timestamptz`;
  const lookbackFrom = sql`${range.lookbackFrom.toISOString()}::timestamptz`;
  const to = sql`${range.to.toISOString()}::timestamptz`;
  const rows = await queryRows<{
    source: string;
    type: string;
    last_received: Date | string;
    events: Num;
    arrivals: Num;
    median_gap_ms: Num;
    longest_gap_ms: Num;
  }>(
    db,
    // The pairs are found by skipping through events_source_type_received_idx (one probe per
    // pair, a dozen or so) rather than grouping every event ever received.
    sql`with recursive pairs as (
          (select source, type from events order by source, type limit 1)
          union all
          select n.source, n.type from pairs p, lateral (
            select e.source, e.type from events e
            where (e.source, e.type) > (p.source, p.type)
            order by e.source, e.type limit 1
          ) n
        ),
        latest as (
          select p.source, p.type,
            (select max(e.received_at) from events e
              where e.source = p.source and e.type = p.type and e.received_at < ${to}) as last_received
          from pairs p
        ),
        arrivals as (
          select source, type, received_at, count(*) as events
          from events where received_at >= ${lookbackFrom} and received_at < ${to}
          group by source, type, received_at
        ),
        gaps as (
          select source, type, events, received_at,
            extract(epoch from received_at - lag(received_at) over (partition by source, type order by received_at)) * 1000 as gap_ms
          from arrivals
        ),
        cadence as (
          select source, type,
            sum(events) filter (where received_at >= ${from}) as events,
            count(*) filter (where received_at >= ${from}) as arrivals,
            percentile_cont(0.5) within group (order by gap_ms) filter (where received_at >= ${from}) as median_gap_ms,
            max(gap_ms) as longest_gap_ms
          from gaps group by source, type
        )
        select l.source, l.type, l.last_received, coalesce(c.events, 0) as events,
          coalesce(c.arrivals, 0) as arrivals, c.median_gap_ms, c.longest_gap_ms
        from latest l left join cadence c on c.source = l.source and c.type = l.type
        where l.last_received is not null
        order by l.source, l.type`,
  );
  return rows.map((r) => ({
    source: r.source,
    type: r.type,
    lastReceivedAt: new Date(r.last_received),
    events: Number(r.events),
    arrivals: Number(r.arrivals),
    medianGapMs: r.median_gap_ms === null ? null : Number(r.median_gap_ms),
    longestGapMs: r.longest_gap_ms === null ? null : Number(r.longest_gap_ms),
  }));
}

/** Accepted events per source, type and UTC day of receipt in [from, to); days without none. */
export async function dailyVolumeBySourceType(db: Db, range: Range) {
  const rows = await queryRows<{ source: string; type: string; day: string; events: Num }>(
    db,
    sql`select source, type, to_char(date_trunc('day', received_at at time zone 'UTC'), 'YYYY-MM-DD') as day,
          count(*) as events
        from events
        where received_at >= ${range.from.toISOString()}::timestamptz and received_at < ${range.to.toISOString()}::timestamptz
        group by 1, 2, 3 order by 1, 2, 3`,
  );
  return rows.map((r) => ({
    source: r.source,
    type: r.type,
    day: r.day,
    events: Number(r.events),
  }));
}

/**
 * Rejected items per source and type as the sender named them ('' where it named none): those
 * still waiting for a replay or a dismissal, whenever they came, and those received in [from, to).
 */
export async function rejectionCountsBySourceType(db: Db, range: Range) {
  const rows = await queryRows<{
    source: string;
    type: string;
    waiting: Num;
    in_range: Num;
    last_rejected: Date | string;
  }>(
    db,
    sql`select coalesce(source, '') as source, coalesce(type, '') as type,
          count(*) filter (where resolved_at is null) as waiting,
          count(*) filter (where received_at >= ${range.from.toISOString()}::timestamptz) as in_range,
          max(received_at) as last_rejected
        from rejected_events
        where received_at < ${range.to.toISOString()}::timestamptz
          and (resolved_at is null or received_at >= ${range.from.toISOString()}::timestamptz)
        group by 1, 2 order by 1, 2`,
  );
  return rows.map((r) => ({
    source: r.source,
    type: r.type,
    waiting: Number(r.waiting),
    inRange: Number(r.in_range),
    lastRejectedAt: new Date(r.last_rejected),
  }));
}
