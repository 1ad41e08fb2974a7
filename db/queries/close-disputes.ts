import { sql } from "drizzle-orm";
import type { Db } from "../client";
import { queryRows } from "../rows";
import {
  n,
  iso,
  instantIn,
  spanEndIn,
  CLOSED_EXCEPTION,
  type CloseScope,
  type Num,
} from "./close-scope";

// Close readiness, check (d): open disputes above materiality.

export interface OpenDispute {
  invoiceId: string;
  customerId: string;
  currency: string;
  invoiceAmountMinor: number;
  disputedMinor: number;
  materialityMinor: number;
  reason: string | null;
  disputedAt: string | null;
  exceptionId: string | null;
  /** Where the open state comes from: an open invoice_disputed exception, or telemetry alone. */
  basis: "exception" | "telemetry";
}

/**
 * Disputes on the entity's invoices that belong to the period: issued in it (the period's
 * receivables) or billing it (periodEnd in the period: the period's revenue). A disputed invoice
 * counts as open when an invoice_disputed exception for it is still open; when the exception
 * workflow has not seen it yet, the dispute from telemetry counts as open, since telemetry has no
 * event that settles a dispute. A dispute without an amount disputes the whole invoice.
 */
export async function openDisputes(
  db: Db,
  s: CloseScope,
): Promise<{ open: OpenDispute[]; settled: number }> {
  const rows = await queryRows<{
    invoice_id: string;
    customer_id: string;
    currency: string;
    invoice_amount: Num;
    disputed: Num;
    materiality: Num;
    reason: string | null;
    disputed_at: Date | string | null;
    exception_id: string | null;
    exceptions: Num;
    open_exceptions: Num;
  }>(
    db,
    sql`with scoped as (
          select i.invoice_id, i.customer_id, i.currency, i.amount_minor
          from invoices i
          where i.entity = ${s.entity}
            and ((${instantIn(sql`i.issued_at`, s)}) or (${spanEndIn(sql`i.period_end`, s)}))
        ),
        telemetry as (
          select d.invoice_id,
            case when bool_or(d.amount_minor is null) then null else max(d.amount_minor) end as amount,
            bool_or(d.amount_minor is null) as whole_invoice,
            max(d.event_time) as disputed_at,
            (array_agg(d.reason order by d.event_time desc, d.event_id desc))[1] as reason
          from invoice_disputes d join scoped sc on sc.invoice_id = d.invoice_id
          group by d.invoice_id
        ),
        workflow as (
          select x.invoice_id, count(*) as exceptions,
            count(*) filter (where x.status not in ${CLOSED_EXCEPTION}) as open_exceptions,
            max(x.amount_minor) filter (where x.status not in ${CLOSED_EXCEPTION}) as open_amount,
            (array_agg(x.id order by (x.status not in ${CLOSED_EXCEPTION}) desc, x.opened_at desc))[1] as exception_id
          from exceptions x join scoped sc on sc.invoice_id = x.invoice_id
          where x.type = 'invoice_disputed'
          group by x.invoice_id
        )
        select sc.invoice_id, sc.customer_id, sc.currency, sc.amount_minor as invoice_amount,
          least(coalesce(w.open_amount, case when t.whole_invoice then sc.amount_minor else t.amount end, sc.amount_minor),
                sc.amount_minor) as disputed,
          coalesce(m.threshold_minor, 0) as materiality, t.reason, t.disputed_at,
          w.exception_id, coalesce(w.exceptions, 0) as exceptions, coalesce(w.open_exceptions, 0) as open_exceptions
        from scoped sc
        left join telemetry t on t.invoice_id = sc.invoice_id
        left join workflow w on w.invoice_id = sc.invoice_id
        left join materiality_thresholds m on m.entity = ${s.entity} and m.currency = sc.currency
        where t.invoice_id is not null or w.invoice_id is not null
        order by sc.invoice_id`,
  );
  const open: OpenDispute[] = [];
  let settled = 0;
  for (const r of rows) {
    const tracked = n(r.exceptions) > 0;
    if (tracked && n(r.open_exceptions) === 0) {
      settled++;
      continue;
    }
    open.push({
      invoiceId: r.invoice_id,
      customerId: r.customer_id,
      currency: r.currency,
      invoiceAmountMinor: n(r.invoice_amount),
      disputedMinor: n(r.disputed),
      materialityMinor: n(r.materiality),
      reason: r.reason,
      disputedAt: r.disputed_at ? iso(r.disputed_at) : null,
      exceptionId: r.exception_id,
      basis: tracked ? "exception" : "telemetry",
    });
  }
  return { open, settled };
}
