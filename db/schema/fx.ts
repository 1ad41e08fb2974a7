import { sql } from "drizzle-orm";
import { bigint, check, numeric, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { nowOnInsert, tstz, utcDay } from "./columns";
import { userRef } from "./access";

export const FX_RATE_SOURCES = ["event", "admin"] as const;
export type FxRateSource = (typeof FX_RATE_SOURCES)[number];

/**
 * Exchange rates: one unit of `currency` is `rate` units of `reportingCurrency` from
 * `effectiveDate` until the next rate of the pair. From an `fx.rate` event or typed in by an
 * admin; of two for one day the later (`at`, then event id) stands, whichever arrived last.
 */
export const fxRates = pgTable(
  "fx_rates",
  {
    currency: text("currency").notNull(),
    reportingCurrency: text("reporting_currency").notNull(),
    effectiveDate: utcDay("effective_date").notNull(),
    /** Exact decimal, read as its text. */
    rate: numeric("rate").notNull(),
    source: text("source", { enum: FX_RATE_SOURCES }).notNull(),
    /** The event's time, or when the admin entered it. */
    at: tstz("at").notNull(),
    eventId: text("event_id"),
    eventSeq: bigint("event_seq", { mode: "number" }),
    enteredBy: userRef("entered_by"),
    recordedAt: nowOnInsert("recorded_at"),
  },
  (t) => [
    primaryKey({
      name: "fx_rates_pk",
      columns: [t.currency, t.reportingCurrency, t.effectiveDate],
    }),
    check("fx_rates_positive", sql`${t.rate} > 0`),
    check("fx_rates_pair", sql`${t.currency} <> ${t.reportingCurrency}`),
    check("fx_rates_source", sql`${t.source} in ('event', 'admin')`),
  ],
);

export type FxRate = typeof fxRates.$inferSelect;
