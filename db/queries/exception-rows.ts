import { sql } from "drizzle-orm";
import type { ExceptionCorrelation, ExceptionStatus, ExceptionType, Severity } from "../schema";

/*
 * One exception as a list shows it: the row SQL returns (RawListRow, with the columns that
 * must stay exact read as text) and the row the domain reads (ExceptionListRow), mapped in
 * one place for the queues (./exceptions.ts) and one exception's detail (./exception-detail.ts).
 */

/** The position of a row in its order; a page starts after or before one. */
export interface ExceptionKey {
  /** The sort column's value as SQL text; null when sorting by opened_at, which is the next column anyway. */
  sortKey: string | null;
  /** opened_at to the microsecond, as ISO text (a JS Date would round it to milliseconds). */
  openedAt: string;
  id: string;
}

/** What every list of exceptions shows of one, read from SQL or mapped from it alike. */
export interface ExceptionHeadline {
  id: string;
  type: ExceptionType;
  status: ExceptionStatus;
  severity: Severity;
  title: string;
  entity: string | null;
}

/** An amount at risk in its own currency. */
export interface AmountAtRisk {
  minor: number;
  currency: string;
}

/** An amount at risk converted into the reporting currency, with the rate that did it. */
export interface ReportingAmount {
  /** A number while exact in JavaScript, its decimal digits beyond (ExactInteger). */
  minor: number | string;
  currency: string;
  /** The rate as a decimal string; "1" for the reporting currency itself. */
  rate: string;
  /** The UTC day the rate took effect; null for the reporting currency itself. */
  rateDate: string | null;
}

/** What an exception puts at risk, in its own currency and in the reporting currency. */
export interface ExceptionAmounts {
  amountMinor: number | null;
  currency: string | null;
  /** Null: unknown (the exception's problem has no amount Closeline can know). */
  amountAtRisk: AmountAtRisk | null;
  /** Null: not converted (unknown amount, or no rate in effect on the day it opened). */
  amountAtRiskReporting: ReportingAmount | null;
  /** The reporting currency the row was converted into (or found no rate for). */
  reportingCurrency: string | null;
}

export interface ExceptionListRow
  extends ExceptionHeadline, ExceptionCorrelation, ExceptionAmounts {
  ownerId: string | null;
  ownerEmail: string | null;
  ownerName: string | null;
  openedAt: Date;
  updatedAt: Date;
  closedAt: Date | null;
  resolutionCode: string | null;
  version: number;
  key: ExceptionKey;
}

export const isoText = (column: string) =>
  sql.raw(`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`);

export interface RawListRow extends ExceptionHeadline {
  amount_minor: string | number | null;
  currency: string | null;
  owner_id: string | null;
  owner_email: string | null;
  owner_name: string | null;
  opened_at: Date | string;
  updated_at: Date | string;
  closed_at: Date | string | null;
  resolution_code: string | null;
  version: number;
  invoice_id: string | null;
  posting_id: string | null;
  payment_id: string | null;
  customer_id: string | null;
  run_id: string | null;
  contract_id: string | null;
  reporting_currency: string | null;
  reporting_rate_text: string | null;
  reporting_rate_day: string | null;
  reporting_minor_text: string | null;
  sort_key: string | null;
  opened_at_key: string;
}

/** The reporting-currency columns as RawListRow reads them: exact text, not engine-typed values. */
export const REPORTING_COLUMNS = sql`x.reporting_currency, x.reporting_rate::text as reporting_rate_text,
  to_char(x.reporting_rate_date, 'YYYY-MM-DD') as reporting_rate_day,
  x.reporting_amount_minor::text as reporting_minor_text`;

/** A bigint's text as a number where that is exact, else as the text itself. */
function exactMinor(text: string): number | string {
  const value = BigInt(text);
  const safe = BigInt(Number.MAX_SAFE_INTEGER);
  return value <= safe && value >= -safe ? Number(value) : text;
}

function reportingAmount(r: RawListRow): ReportingAmount | null {
  if (r.reporting_minor_text === null || !r.reporting_currency || r.reporting_rate_text === null)
    return null;
  return {
    minor: exactMinor(r.reporting_minor_text),
    currency: r.reporting_currency,
    rate: r.reporting_rate_text,
    rateDate: r.reporting_rate_day,
  };
}

export const toDate = (v: Date | string) => (v instanceof Date ? v : new Date(v));

export function toListRow(r: RawListRow): ExceptionListRow {
  return {
    id: r.id,
    type: r.type,
    status: r.status,
    severity: r.severity,
    title: r.title,
    entity: r.entity,
    amountMinor: r.amount_minor === null ? null : Number(r.amount_minor),
    currency: r.currency,
    amountAtRisk:
      r.amount_minor === null || r.currency === null
        ? null
        : { minor: Number(r.amount_minor), currency: r.currency },
    amountAtRiskReporting: reportingAmount(r),
    reportingCurrency: r.reporting_currency,
    ownerId: r.owner_id,
    ownerEmail: r.owner_email,
    ownerName: r.owner_name,
    openedAt: toDate(r.opened_at),
    updatedAt: toDate(r.updated_at),
    closedAt: r.closed_at === null ? null : toDate(r.closed_at),
    resolutionCode: r.resolution_code,
    version: Number(r.version),
    invoiceId: r.invoice_id,
    postingId: r.posting_id,
    paymentId: r.payment_id,
    customerId: r.customer_id,
    runId: r.run_id,
    contractId: r.contract_id,
    key: { sortKey: r.sort_key, openedAt: r.opened_at_key, id: r.id },
  };
}
