import { millisBetween } from "./durations";
import { sql } from "drizzle-orm";
import {
  bigserial,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  primaryKey,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { tstz, nowOnInsert, int8, utcDay, serialId, rollupShard } from "./columns";
import { apiKeys } from "./access";

/** Event lag in milliseconds, as the KPI defines it. */
const LAG_MS = millisBetween(sql`received_at`, sql`"time"`);

/**
 * Every accepted CloudEvent, exactly once per (source, id). The typed tables in
 * projections.ts are derived from this one inside the same transaction.
 */
export const events = pgTable(
  "events",
  {
    seq: bigserial("seq", { mode: "number" }).primaryKey(),
    source: text("source").notNull(),
    eventId: text("event_id").notNull(),
    type: text("type").notNull(),
    time: tstz("time").notNull(),
    receivedAt: nowOnInsert("received_at"),
    subject: text("subject"),
    data: jsonb("data").notNull(),
    /** CloudEvents attributes beyond the ones with columns (extensions, dataschema, …), kept verbatim. */
    attributes: jsonb("attributes").notNull().default({}),
    apiKeyId: uuid("api_key_id").references(() => apiKeys.id),
    /*
     * Derived by PostgreSQL, so no writer can get them wrong: the event lag KPI's value
     * (received_at − time in ms, the expression docs/kpis.md defines), its histogram bucket
     * (migration 0013's closeline_lag_bucket) and the entity the event names, all readable
     * from indexes without the JSON.
     */
    lagMs: doublePrecision("lag_ms").generatedAlwaysAs(LAG_MS),
    lagBucket: integer("lag_bucket").generatedAlwaysAs(sql`closeline_lag_bucket(${LAG_MS})`),
    entity: text("entity").generatedAlwaysAs(sql`(data ->> 'entity')`),
  },
  (t) => [
    uniqueIndex("events_source_event_id_key").on(t.source, t.eventId),
    index("events_time_idx").on(t.time, t.seq),
    // Search by CloudEvent id (db/queries/search.ts); built after the migrations (db/concurrent-indexes.ts).
    index("events_event_id_idx").on(t.eventId),
    index("events_type_time_idx").on(t.type, t.time, t.seq),
    // Ingestion health per source and type: the last arrival and the arrivals of the last
    // two weeks, read from the index alone (db/queries/ingestion.ts).
    index("events_source_type_received_idx").on(t.source, t.type, t.receivedAt),
    // The event lag histogram of a part-day, read from the index alone (db/queries/event-lag.ts).
    index("events_received_at_idx").on(t.receivedAt, t.lagBucket, t.entity),
    // One fine histogram bucket's exact lag values in a time range, for a percentile's final
    // step (migration 0024's closeline_lag_fine_bucket, 8 to a histogram bucket).
    index("events_lag_fine_idx").on(
      sql`closeline_lag_fine_bucket(${t.lagMs})`,
      t.receivedAt,
      t.lagMs,
      t.entity,
    ),
  ],
);

/** What every lag histogram keeps per period: events per entity ('' for none) and bucket. */
const lagCounts = () => ({
  entity: text("entity").notNull(),
  bucket: integer("bucket").notNull(),
  shard: rollupShard(),
  events: int8("events").notNull(),
});

/**
 * How many events were received per UTC day, entity and lag bucket: the event lag
 * histogram, kept exact by triggers on `events` (migration 0013) whatever writes or deletes
 * events. A percentile over a month reads ~30 days of buckets here, then sorts only the one
 * bucket holding its rank (db/queries/event-lag.ts), instead of sorting every event.
 * `entity` is '' for events that name none.
 */
export const eventLagDays = pgTable(
  "event_lag_days",
  {
    day: utcDay("day").notNull(),
    ...lagCounts(),
  },
  (t) => [
    primaryKey({ columns: [t.day, t.entity, t.bucket, t.shard] }),
    // The same key with the count: a month of histogram is read from the index alone.
    index("event_lag_days_read_idx").on(t.day, t.entity, t.bucket, t.events),
  ],
);

/**
 * The lag histogram per UTC hour of receipt, entity and bucket, kept by the same triggers as
 * event_lag_days (migration 0024): an hourly series and the part-days at either end of a
 * range read whole hours here and only the minutes beyond them from the events.
 */
export const eventLagHours = pgTable(
  "event_lag_hours",
  {
    hour: timestamp("hour", { withTimezone: true, mode: "string" }).notNull(),
    ...lagCounts(),
  },
  (t) => [
    primaryKey({ columns: [t.hour, t.entity, t.bucket, t.shard] }),
    // The same key with the count: a day of hours from the index alone.
    index("event_lag_hours_read_idx").on(t.hour, t.entity, t.bucket, t.events),
  ],
);

/**
 * The lag histogram per UTC day of receipt and entity at 8 times its resolution (migration
 * 0024's closeline_lag_fine_bucket: fine bucket f lies in bucket f >> 3), kept by the same
 * triggers as event_lag_days. Read only for the buckets holding a percentile's rank, so
 * that its final step sorts the values of one fine bucket, an eighth of the events.
 */
export const eventLagFineDays = pgTable(
  "event_lag_fine_days",
  {
    fine: integer("fine").notNull(),
    day: utcDay("day").notNull(),
    entity: text("entity").notNull(),
    shard: rollupShard(),
    events: int8("events").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.fine, t.day, t.entity, t.shard] }),
    // The same key with the count: a bucket's fine counts over a month from the index alone.
    index("event_lag_fine_days_read_idx").on(t.fine, t.day, t.entity, t.events),
  ],
);

/**
 * How many events of a UTC day of receipt and entity had each lag value, under its fine
 * bucket, kept by the same triggers as event_lag_days. A percentile's last step reads the
 * values around its rank here, as counts per distinct value, instead of every event of the
 * fine bucket: a day of live senders (lags in whole ms, a few per fine bucket) holds a few
 * rows per fine bucket however many events it received. No covering index: the count is the
 * only column a batch changes, so its updates can stay on their page (HOT) and a busy day's
 * rows do not leave a dead index entry per batch.
 */
export const eventLagValueDays = pgTable(
  "event_lag_value_days",
  {
    fine: integer("fine").notNull(),
    day: utcDay("day").notNull(),
    entity: text("entity").notNull(),
    lagMs: doublePrecision("lag_ms").notNull(),
    shard: rollupShard(),
    events: int8("events").notNull(),
  },
  (t) => [primaryKey({ columns: [t.fine, t.day, t.entity, t.lagMs, t.shard] })],
);

/**
 * The same histogram per calendar month (UTC) of receipt, entity and lag bucket, kept from
 * event_lag_days by a trigger (migration 0023): a month's percentiles read the month holding
 * most of the range, less its days outside the range, instead of ~30 days of buckets.
 */
export const eventLagMonths = pgTable(
  "event_lag_months",
  {
    month: utcDay("month").notNull(),
    ...lagCounts(),
  },
  (t) => [primaryKey({ columns: [t.month, t.entity, t.bucket, t.shard] })],
);

/**
 * A counter per UTC day of receipt and rollup shard, bumped by a trigger on `events`
 * (migration 0018) in the transaction of any change to that day's events, on the rows of that
 * transaction's shard: a day's lag figures computed at one vector of its shards' versions
 * hold for as long as the vector does (db/queries/event-lag.ts says why a sum would not).
 */
export const eventLagDayVersions = pgTable(
  "event_lag_day_versions",
  {
    day: utcDay("day").notNull(),
    shard: rollupShard(),
    version: int8("version").notNull(),
  },
  (t) => [primaryKey({ columns: [t.day, t.shard] })],
);

/**
 * A whole day's event lag (count, p50, p95), for every entity ('*') or one, as computed at a
 * version of the day: the series of a month reads these for past days instead of ranking
 * ~15,000 events a day again. A row whose version is not the day's current one is ignored
 * (and replaced when the day is next computed). See db/queries/event-lag.ts.
 */
export const eventLagDayStats = pgTable(
  "event_lag_day_stats",
  {
    day: utcDay("day").notNull(),
    entity: text("entity").notNull(),
    /** The sum of the day's shard versions: a row only ever moves to a larger one. */
    version: int8("version").notNull(),
    /** The day's versions as `shard:version` pairs by shard, what a read must match. */
    versions: text("versions").notNull().default(""),
    events: int8("events").notNull(),
    p50Ms: doublePrecision("p50_ms"),
    p95Ms: doublePrecision("p95_ms"),
  },
  (t) => [primaryKey({ columns: [t.day, t.entity] })],
);

/**
 * What a sender sent that could not be accepted, kept whole so it can be inspected and
 * replayed. `index` is the item's position in its batch (null for a body-level rejection).
 */
export const rejectedEvents = pgTable(
  "rejected_events",
  {
    id: serialId(),
    receivedAt: nowOnInsert("received_at"),
    apiKeyId: uuid("api_key_id").references(() => apiKeys.id),
    channel: text("channel", { enum: ["api", "csv"] }).notNull(),
    batchIndex: integer("batch_index"),
    source: text("source"),
    eventId: text("event_id"),
    type: text("type"),
    /** The item as parsed JSON, or `{ "raw": "<text>" }` when the body was not JSON. */
    payload: jsonb("payload").notNull(),
    errors: text("errors").array().notNull(),
    resolvedAt: tstz("resolved_at"),
    resolution: text("resolution"),
  },
  (t) => [
    index("rejected_events_received_idx").on(t.receivedAt, t.id),
    index("rejected_events_open_idx")
      .on(t.source, t.receivedAt)
      .where(sql`${t.resolvedAt} is null`),
  ],
);
