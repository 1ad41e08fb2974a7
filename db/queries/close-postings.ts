import { sql } from "drizzle-orm";
import type { Db } from "../client";
import { queryRows } from "../rows";
import { n, iso, instantIn, CLOSED_EXCEPTION, type CloseScope, type Num } from "./close-scope";

// Close readiness, check (b): the period's invoices posted to the ERP.

export interface UnpostedInvoice {
  invoiceId: string;
  customerId: string;
  currency: string;
  amountMinor: number;
  issuedAt: string;
  /** The latest attempt, if there was any. */
  lastAttempt: {
    postingId: string;
    attempt: number;
    attemptedAt: string;
    errorCode: string | null;
    errorMessage: string | null;
  } | null;
  /** The invoice's erp_posting_failed exception, an open one first. */
  exceptionId: string | null;
}

export async function invoicesIssuedCount(db: Db, s: CloseScope): Promise<number> {
  const [row] = await queryRows<{ count: Num }>(
    db,
    sql`select count(*) as count from invoices i where i.entity = ${s.entity} and ${instantIn(sql`i.issued_at`, s)}`,
  );
  return n(row?.count ?? 0);
}

/** Invoices issued in the period with no succeeded posting attempt, each with its latest attempt. */
export async function unpostedInvoices(
  db: Db,
  s: CloseScope,
  limit: number,
): Promise<{ rows: UnpostedInvoice[]; total: number }> {
  const rows = await queryRows<{
    invoice_id: string;
    customer_id: string;
    currency: string;
    amount_minor: Num;
    issued_at: Date | string;
    posting_id: string | null;
    attempt: Num;
    attempted_at: Date | string | null;
    error_code: string | null;
    error_message: string | null;
    exception_id: string | null;
    total: Num;
  }>(
    db,
    sql`select i.invoice_id, i.customer_id, i.currency, i.amount_minor, i.issued_at,
          la.posting_id, la.attempt, la.attempted_at, la.error_code, la.error_message,
          x.id as exception_id, count(*) over () as total
        from invoices i
        left join lateral (
          select a.posting_id, a.attempt, a.attempted_at, a.error_code, a.error_message
          from erp_posting_attempts a where a.invoice_id = i.invoice_id
          order by a.attempted_at desc, a.attempt desc limit 1
        ) la on true
        left join lateral (
          select x.id from exceptions x
          where x.type = 'erp_posting_failed' and x.invoice_id = i.invoice_id
          order by (x.status not in ${CLOSED_EXCEPTION}) desc, x.opened_at desc limit 1
        ) x on true
        where i.entity = ${s.entity} and ${instantIn(sql`i.issued_at`, s)}
          and not exists (
            select 1 from erp_posting_attempts ok where ok.invoice_id = i.invoice_id and ok.status = 'succeeded'
          )
        order by i.issued_at, i.invoice_id
        limit ${limit}`,
  );
  return {
    rows: rows.map((r) => ({
      invoiceId: r.invoice_id,
      customerId: r.customer_id,
      currency: r.currency,
      amountMinor: n(r.amount_minor),
      issuedAt: iso(r.issued_at),
      lastAttempt:
        r.posting_id && r.attempted_at
          ? {
              postingId: r.posting_id,
              attempt: n(r.attempt),
              attemptedAt: iso(r.attempted_at),
              errorCode: r.error_code,
              errorMessage: r.error_message,
            }
          : null,
      exceptionId: r.exception_id,
    })),
    total: n(rows[0]?.total ?? 0),
  };
}
