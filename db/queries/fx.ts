import "server-only";
import { and, asc, count, desc, eq, gte, lt, lte, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "../client";
import { queryRows } from "../rows";
import { OPEN_STATUS_SQL, fxRates, type ExceptionType, type FxRate } from "../schema";

/*
 * Exchange rates and the exceptions' amounts in the reporting currency. Each exception's
 * conversion is kept on its row by a trigger (closeline_exceptions_reporting_amount, migration
 * 0038) whenever its amount is written; the functions here convert again the rows a new rate
 * or a new reporting currency bears on, in the caller's transaction.
 */

export interface RatePair {
  currency: string;
  reportingCurrency: string;
}

/** Which rates a list holds: a pair's side or both, and effective days from/to (inclusive). */
export interface RateFilter {
  currency?: string | null;
  reportingCurrency?: string | null;
  effectiveFrom?: string | null;
  effectiveTo?: string | null;
}

/** The position after a page's last rate: its key, in the list's order. */
export type RateCursor = RatePair & { effectiveDate: string };

/** The rates of one pair: from `currency` into `reportingCurrency`. */
const ofPair = (pair: RatePair) =>
  and(eq(fxRates.currency, pair.currency), eq(fxRates.reportingCurrency, pair.reportingCurrency));

function rateWhere(filter: RateFilter): SQL {
  const conditions: SQL[] = [sql`true`];
  if (filter.currency) conditions.push(eq(fxRates.currency, filter.currency));
  if (filter.reportingCurrency)
    conditions.push(eq(fxRates.reportingCurrency, filter.reportingCurrency));
  if (filter.effectiveFrom) conditions.push(gte(fxRates.effectiveDate, filter.effectiveFrom));
  if (filter.effectiveTo) conditions.push(lte(fxRates.effectiveDate, filter.effectiveTo));
  return and(...conditions)!;
}

/**
 * A page of rates, the newest effective day first and within a day by pair, after `cursor`
 * (keyset on the primary key, so rates arriving meanwhile neither repeat nor vanish); one
 * more row tells if more follow.
 */
export async function listRatesPage(
  db: Db,
  filter: RateFilter,
  page: { limit: number; cursor: RateCursor | null },
): Promise<{ items: FxRate[]; next: RateCursor | null }> {
  const { cursor } = page;
  const after = cursor
    ? or(
        lt(fxRates.effectiveDate, cursor.effectiveDate),
        and(
          eq(fxRates.effectiveDate, cursor.effectiveDate),
          sql`(${fxRates.currency}, ${fxRates.reportingCurrency}) > (${cursor.currency}, ${cursor.reportingCurrency})`,
        ),
      )
    : undefined;
  const rows = await db
    .select()
    .from(fxRates)
    .where(and(rateWhere(filter), after))
    .orderBy(desc(fxRates.effectiveDate), asc(fxRates.currency), asc(fxRates.reportingCurrency))
    .limit(page.limit + 1);
  const items = rows.slice(0, page.limit);
  const last = rows.length > page.limit ? items.at(-1) : undefined;
  return {
    items,
    next: last
      ? {
          currency: last.currency,
          reportingCurrency: last.reportingCurrency,
          effectiveDate: last.effectiveDate,
        }
      : null,
  };
}

/** The pair's rate with the latest effective day, whatever the day. */
export async function latestRate(db: Db, pair: RatePair): Promise<FxRate | null> {
  const [row] = await db
    .select()
    .from(fxRates)
    .where(ofPair(pair))
    .orderBy(desc(fxRates.effectiveDate))
    .limit(1);
  return row ?? null;
}

/** How many rates the filter holds. */
export async function countRates(db: Db, filter: RateFilter): Promise<number> {
  const [row] = await db.select({ n: count() }).from(fxRates).where(rateWhere(filter));
  return row?.n ?? 0;
}

/** The rate of one pair and day, locked so that two admins entering it record distinct "before"s. */
export async function lockRate(
  tx: Db,
  key: RatePair & { effectiveDate: string },
): Promise<FxRate | undefined> {
  const [row] = await tx
    .select()
    .from(fxRates)
    .where(and(ofPair(key), eq(fxRates.effectiveDate, key.effectiveDate)))
    .for("update");
  return row;
}

/** An admin's rate for a pair and day, replacing what was there (an event's rate included). */
export async function upsertAdminRate(
  tx: Db,
  input: RatePair & { effectiveDate: string; rate: string; enteredBy: string | null; at: Date },
): Promise<FxRate> {
  const values = {
    currency: input.currency,
    reportingCurrency: input.reportingCurrency,
    effectiveDate: input.effectiveDate,
    rate: input.rate,
    source: "admin" as const,
    at: input.at,
    eventId: null,
    eventSeq: null,
    enteredBy: input.enteredBy,
  };
  const [row] = await tx
    .insert(fxRates)
    .values(values)
    .onConflictDoUpdate({
      target: [fxRates.currency, fxRates.reportingCurrency, fxRates.effectiveDate],
      set: { ...values, recordedAt: sql`now()` },
    })
    .returning();
  return row!;
}

/** The exception row's conversion, as the trigger on exceptions writes it. */
const CONVERT_AGAIN = sql`(reporting_currency, reporting_rate, reporting_rate_date, reporting_amount_minor) =
  (select r.reporting_currency, r.rate, r.rate_date, r.reporting_minor
   from closeline_reporting_amount(x.amount_minor, x.currency, x.opened_at) r)`;

/**
 * Converts again the exceptions of each pair's currency opened on or after `from` (a UTC day):
 * a new rate for that day is in effect for them until the pair's next rate, and the rows past
 * that convert to what they were. Only the reporting columns change; the exception's version
 * stays, so a form open on it is not made stale by a rate.
 */
export async function reconvertExceptions(
  db: Db,
  changes: readonly (RatePair & { from: string })[],
): Promise<void> {
  if (changes.length === 0) return;
  await db.execute(sql`
    with changed as (
      select c.currency, min(c."from") as "from"
      from jsonb_to_recordset(${JSON.stringify(changes)}::jsonb) as c(currency text, "reportingCurrency" text, "from" date)
      where c."reportingCurrency" = closeline_reporting_currency()
      group by c.currency
    )
    update exceptions x set ${CONVERT_AGAIN}
    from changed c
    where x.currency = c.currency and x.opened_at >= (c."from"::timestamp at time zone 'UTC')`);
}

/** Converts every exception again: the reporting currency changed. */
export async function reconvertAllExceptions(db: Db): Promise<void> {
  await db.execute(sql`
    update exceptions x set ${CONVERT_AGAIN}`);
}

/** closeline_fx_apply on each case, for holding the database's conversion equal to lib/money/fx.ts. */
export async function convertInDatabase(
  db: Db,
  cases: readonly { amountMinor: string; from: string; to: string; rate: string }[],
): Promise<(string | null)[]> {
  const rows = await queryRows<{ converted: string | null }>(
    db,
    sql`select closeline_fx_apply((t.c->>'amountMinor')::bigint, t.c->>'from', t.c->>'to',
          (t.c->>'rate')::numeric)::text as converted
        from jsonb_array_elements(${JSON.stringify(cases)}::jsonb) with ordinality as t(c, n)
        order by t.n`,
  );
  return rows.map((r) => r.converted);
}

export interface MoneyAtStakeRow {
  type: ExceptionType;
  entity: string | null;
  open: number;
  /** Σ |amount| in the reporting currency over the converted ones, exact (numeric as text). */
  convertedMinor: string;
  converted: number;
  /** Amount known, but no rate in effect on the day it opened. */
  withoutRate: number;
  /** No amount Closeline can know. */
  unknown: number;
}

/**
 * The open exceptions' amounts at risk in the reporting currency per type and entity: an
 * aggregate over the open rows (the partial index's rows), a few milliseconds per ten
 * thousand open exceptions; what cannot be summed is counted, never taken as zero.
 */
export async function moneyAtStakeByTypeAndEntity(
  db: Db,
  options: { entity?: string | null },
): Promise<MoneyAtStakeRow[]> {
  const rows = await queryRows<{
    type: ExceptionType;
    entity: string | null;
    open: string | number;
    converted_minor: string;
    converted: string | number;
    without_rate: string | number;
    unknown: string | number;
  }>(
    db,
    sql`select x.type, x.entity, count(*) as open,
          coalesce(sum(abs(x.reporting_amount_minor)), 0)::text as converted_minor,
          count(x.reporting_amount_minor) as converted,
          count(*) filter (where x.amount_minor is not null and x.reporting_amount_minor is null) as without_rate,
          count(*) filter (where x.amount_minor is null) as unknown
        from exceptions x
        where x.status in ${OPEN_STATUS_SQL}
          ${options.entity ? sql`and x.entity = ${options.entity}` : sql``}
        group by x.type, x.entity
        order by x.type, x.entity nulls last`,
  );
  return rows.map((r) => ({
    type: r.type,
    entity: r.entity,
    open: Number(r.open),
    convertedMinor: r.converted_minor,
    converted: Number(r.converted),
    withoutRate: Number(r.without_rate),
    unknown: Number(r.unknown),
  }));
}

export interface MissingRate {
  /** The currency the open exceptions are in, with no rate into the reporting currency for them. */
  currency: string;
  reportingCurrency: string;
  open: number;
  /** The earliest UTC day one of them opened: a rate must take effect on or before it. */
  firstDay: string;
  /** The pair's earliest rate, when one exists but takes effect after some of them opened. */
  laterRateDate: string | null;
  /** The latest rate the other way (reporting currency into this one), which is never inverted. */
  inverse: { rate: string; effectiveDate: string } | null;
}

/**
 * The currencies of open exceptions whose amount is known but could not be converted for want
 * of a rate, with what an admin needs to enter one: from which day, and whether a rate exists
 * only later or only the other way round. An aggregate over the open rows.
 */
export async function listMissingRates(db: Db): Promise<MissingRate[]> {
  const rows = await queryRows<{
    currency: string;
    reporting_currency: string;
    open: string | number;
    first_day: string;
    later_rate_date: string | null;
    inverse_rate: string | null;
    inverse_date: string | null;
  }>(
    db,
    sql`with missing as (
          select x.currency, closeline_reporting_currency() as reporting_currency, count(*) as open,
            (min(x.opened_at) at time zone 'UTC')::date::text as first_day
          from exceptions x
          where x.status in ${OPEN_STATUS_SQL}
            and x.amount_minor is not null and x.currency is not null and x.reporting_rate is null
          group by x.currency
        )
        select m.*,
          (select min(f.effective_date)::text from fx_rates f
            where f.currency = m.currency and f.reporting_currency = m.reporting_currency) as later_rate_date,
          i.rate::text as inverse_rate, i.effective_date::text as inverse_date
        from missing m
        left join lateral (
          select f.rate, f.effective_date from fx_rates f
          where f.currency = m.reporting_currency and f.reporting_currency = m.currency
          order by f.effective_date desc limit 1
        ) i on true
        order by m.open desc, m.currency`,
  );
  return rows.map((r) => ({
    currency: r.currency,
    reportingCurrency: r.reporting_currency,
    open: Number(r.open),
    firstDay: r.first_day,
    laterRateDate: r.later_rate_date,
    inverse:
      r.inverse_rate && r.inverse_date
        ? { rate: r.inverse_rate, effectiveDate: r.inverse_date }
        : null,
  }));
}
