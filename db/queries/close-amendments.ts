import { sql } from "drizzle-orm";
import type { Db } from "../client";
import { queryRows } from "../rows";
import { n, iso, ts, instantIn, CLOSED_EXCEPTION, type CloseScope, type Num } from "./close-scope";

// Close readiness, check (f): retroactive amendments into the period.

export interface RetroactiveAmendment {
  eventId: string;
  contractId: string;
  customerId: string;
  effectiveFrom: string;
  amendedAt: string;
  currency: string;
  amountImpactMinor: number;
  exceptionId: string | null;
  exceptionStatus: string | null;
}

/**
 * Amendments effective inside the period but made after it ended, unless their
 * retroactive_amendment exception is resolved or dismissed. The exception of an amendment is
 * the one keyed "contractId@eventId" (db/queries/exception-sync.ts).
 */
export async function unresolvedRetroactiveAmendments(
  db: Db,
  s: CloseScope,
): Promise<RetroactiveAmendment[]> {
  const rows = await queryRows<{
    event_id: string;
    contract_id: string;
    customer_id: string;
    effective_from: Date | string;
    amended_at: Date | string;
    currency: string;
    amount_impact_minor: Num;
    exception_id: string | null;
    exception_status: string | null;
  }>(
    db,
    sql`select a.event_id, a.contract_id, a.customer_id, a.effective_from, a.amended_at, a.currency,
          a.amount_impact_minor, w.exception_id, w.exception_status
        from contract_amendments a
        left join lateral (
          select count(*) as exceptions,
            count(*) filter (where x.status not in ${CLOSED_EXCEPTION}) as open_exceptions,
            (array_agg(x.id order by x.opened_at desc))[1] as exception_id,
            (array_agg(x.status order by x.opened_at desc))[1] as exception_status
          from exceptions x
          where x.type = 'retroactive_amendment' and x.problem_key = a.contract_id || '@' || a.event_id
        ) w on true
        where a.entity = ${s.entity} and ${instantIn(sql`a.effective_from`, s)} and a.amended_at >= ${ts(s.end)}
          and (w.exceptions = 0 or w.open_exceptions > 0)
        order by a.amended_at, a.contract_id, a.event_id`,
  );
  return rows.map((r) => ({
    eventId: r.event_id,
    contractId: r.contract_id,
    customerId: r.customer_id,
    effectiveFrom: iso(r.effective_from),
    amendedAt: iso(r.amended_at),
    currency: r.currency,
    amountImpactMinor: n(r.amount_impact_minor),
    exceptionId: r.exception_id,
    exceptionStatus: r.exception_status,
  }));
}
