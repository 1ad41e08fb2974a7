import { sql } from "drizzle-orm";
import { check, pgTable, primaryKey, text, uniqueIndex } from "drizzle-orm/pg-core";
import { tstz, nowOnInsert, int8, uuidId, periodSpan } from "./columns";
import { userRef } from "./access";

/**
 * An accounting period of one legal entity: [period_start, period_end), a calendar month in UTC
 * unless a row says otherwise. A row exists once the period has been closed at least once;
 * reopening clears closed_at and closed_by and keeps the row, so the audit log holds the history
 * and this table only the current state.
 */
export const accountingPeriods = pgTable(
  "accounting_periods",
  {
    id: uuidId(),
    entity: text("entity").notNull(),
    ...periodSpan(),
    closedAt: tstz("closed_at"),
    closedBy: userRef("closed_by"),
    updatedAt: nowOnInsert("updated_at"),
  },
  (t) => [
    uniqueIndex("accounting_periods_entity_start").on(t.entity, t.periodStart),
    check("accounting_periods_range", sql`${t.periodStart} < ${t.periodEnd}`),
    check("accounting_periods_closed_by", sql`(${t.closedAt} is null) = (${t.closedBy} is null)`),
  ],
);

/**
 * An amount per entity and currency that finance sets (an amount in one currency says nothing
 * about another), with who set it last and when.
 */
export const entityCurrencyThreshold = () => ({
  entity: text("entity").notNull(),
  currency: text("currency").notNull(),
  thresholdMinor: int8("threshold_minor").notNull(),
  updatedAt: nowOnInsert("updated_at"),
  updatedBy: userRef("updated_by"),
});

/**
 * The amount below which a difference does not block the close, per entity and currency: a
 * threshold in one currency says nothing about another. Without a row the threshold is 0, so
 * every break and dispute counts until finance decides otherwise.
 */
export const materialityThresholds = pgTable(
  "materiality_thresholds",
  entityCurrencyThreshold(),
  (t) => [
    primaryKey({ columns: [t.entity, t.currency] }),
    check("materiality_thresholds_non_negative", sql`${t.thresholdMinor} >= 0`),
  ],
);

export type AccountingPeriod = typeof accountingPeriods.$inferSelect;
export type MaterialityThreshold = typeof materialityThresholds.$inferSelect;
