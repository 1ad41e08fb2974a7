import { sql } from "drizzle-orm";
import {
  bigserial,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { apiKeys } from "./access";

const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

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
    receivedAt: tstz("received_at").notNull().defaultNow(),
    subject: text("subject"),
    data: jsonb("data").notNull(),
    /** CloudEvents attributes beyond the ones with columns (extensions, dataschema, …), kept verbatim. */
    attributes: jsonb("attributes").notNull().default({}),
    apiKeyId: uuid("api_key_id").references(() => apiKeys.id),
  },
  (t) => [
    uniqueIndex("events_source_event_id_key").on(t.source, t.eventId),
    index("events_time_idx").on(t.time, t.seq),
    index("events_type_time_idx").on(t.type, t.time, t.seq),
    // With `time`, event lag (received_at − time, by received_at) is an index-only scan.
    index("events_received_at_idx").on(t.receivedAt, t.time),
  ],
);

/**
 * What a sender sent that could not be accepted, kept whole so it can be inspected and
 * replayed. `index` is the item's position in its batch (null for a body-level rejection).
 */
export const rejectedEvents = pgTable(
  "rejected_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    receivedAt: tstz("received_at").notNull().defaultNow(),
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
