import { z } from "zod";
import type { Db } from "@/db/client";
import {
  countRates,
  latestRate,
  listMissingRates,
  listRatesPage,
  type MissingRate,
  type RateCursor,
  type RateFilter,
} from "@/db/queries/fx";
import type { FxRate } from "@/db/schema";
import { CurrencyCode } from "@/lib/contract";
import {
  cursorOrNull,
  keysetPage,
  type CursorCodec,
  type CursorPage,
  type PageRequest,
} from "@/lib/pagination";

/*
 * The stored exchange rates as the API and the settings page list them: a keyset page, the
 * newest effective day first, with an opaque cursor; and the pairs that open exceptions wait
 * on. Rates are never inverted, so a pair with only the other way's rate is named as missing,
 * with that rate beside it for the admin to work from.
 */

export type { MissingRate, RateFilter };

/** The cursor: the last rate's effective day and pair. */
const CURSOR: CursorCodec<{ d: string; c: string; r: string }, RateCursor> = {
  schema: z.object({ d: z.iso.date(), c: CurrencyCode, r: CurrencyCode }),
  read: (keys) => ({ effectiveDate: keys.d, currency: keys.c, reportingCurrency: keys.r }),
  write: (position) => ({
    d: position.effectiveDate,
    c: position.currency,
    r: position.reportingCurrency,
  }),
};

export interface RateView {
  currency: string;
  reportingCurrency: string;
  effectiveDate: string;
  rate: string;
  source: FxRate["source"];
  at: string;
  recordedAt: string;
}

export function presentRate(row: FxRate): RateView {
  return {
    currency: row.currency,
    reportingCurrency: row.reportingCurrency,
    effectiveDate: row.effectiveDate,
    rate: row.rate,
    source: row.source,
    at: row.at.toISOString(),
    recordedAt: row.recordedAt.toISOString(),
  };
}

/**
 * The settings page's table as its URL asks for it: currencies upper-cased (a code that is not
 * one filters nothing), and a cursor kept only if it is one this module gave.
 */
export function rateTableQuery(params: {
  from: string | null;
  into: string | null;
  cursor: string | null;
}): {
  filter: { currency: string | null; reportingCurrency: string | null };
  cursor: string | null;
} {
  const code = (value: string | null) => {
    const upper = value?.trim().toUpperCase() ?? "";
    return CurrencyCode.safeParse(upper).success ? upper : null;
  };
  return {
    filter: { currency: code(params.from), reportingCurrency: code(params.into) },
    cursor: cursorOrNull(params.cursor, CURSOR.schema) ? params.cursor : null,
  };
}

/** One page of rates after `cursor` (a nextCursor this returned), and the next page's cursor. */
export function loadRatePage(db: Db, filter: RateFilter, page: PageRequest) {
  return keysetPage(page, CURSOR, (query) => listRatesPage(db, filter, query), presentRate);
}

/** A page of rates with how many the filter holds in all, for "showing 50 of 312". */
export async function loadRateTable(
  db: Db,
  filter: RateFilter,
  page: PageRequest,
): Promise<CursorPage<RateView> & { total: number }> {
  const [list, total] = await Promise.all([loadRatePage(db, filter, page), countRates(db, filter)]);
  return { ...list, total };
}

/** The pairs open exceptions wait on for a conversion, the most exceptions first. */
export function loadMissingRates(db: Db): Promise<MissingRate[]> {
  return listMissingRates(db);
}

/**
 * For an amount that has no conversion, the latest rate the other way (reporting currency
 * into the amount's), which an admin may work from; null when converted or when there is none.
 */
export async function loadInverseRate(
  db: Db,
  x: {
    amountAtRisk: { currency: string } | null;
    amountAtRiskReporting: unknown;
    reportingCurrency: string | null;
  },
): Promise<InverseRate | null> {
  if (!x.amountAtRisk || x.amountAtRiskReporting || !x.reportingCurrency) return null;
  const row = await latestRate(db, {
    currency: x.reportingCurrency,
    reportingCurrency: x.amountAtRisk.currency,
  });
  return row ? { rate: row.rate, effectiveDate: row.effectiveDate } : null;
}

export type InverseRate = NonNullable<MissingRate["inverse"]>;
