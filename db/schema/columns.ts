import {
  bigint,
  bigserial,
  date,
  smallint,
  timestamp,
  uuid,
  type AnyPgColumn,
} from "drizzle-orm/pg-core";

/*
 * The column kinds the tables are made of, so that each kind of value is stored one way in
 * every table: instants as timestamptz read as a Date, 64-bit integers read as a number.
 */

/** An instant: timestamptz, read as a Date. */
export const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

/** An instant the database sets to the time of the insert unless the writer gives one. */
export const nowOnInsert = (name: string) => tstz(name).notNull().defaultNow();

/** A bigint read as a number: money in minor units, counts and sequence numbers stay below 2^53. */
export const int8 = (name: string) => bigint(name, { mode: "number" });

/** A UTC calendar day, read as its `YYYY-MM-DD` text. */
export const utcDay = (name: string) => date(name, { mode: "string" });

/** A period [period_start, period_end): the end is the first instant after it. */
export const periodSpan = () => ({
  periodStart: tstz("period_start").notNull(),
  periodEnd: tstz("period_end").notNull(),
});

/** The key of a row people create and refer to: a random uuid. */
export const uuidId = () => uuid("id").primaryKey().defaultRandom();

/** The key of an append-only log: the order of insertion. */
export const serialId = () => bigserial("id", { mode: "number" }).primaryKey();

/** The row this one belongs to: a required reference to another table's uuid key. */
export const belongsTo = (name: string, key: () => AnyPgColumn) =>
  uuid(name).notNull().references(key);

/**
 * The shard of an additive KPI rollup row, the last column of its key: a transaction adds its
 * counts to the rows of one shard (closeline_rollup_shard() in db/sql), so concurrent batches
 * never wait for each other's row. A key's figure is the sum over its shards, and one shard's
 * row may be negative where another holds the positives, so readers always sum.
 */
export const rollupShard = () => smallint("shard").notNull().default(0);
