import "server-only";
import { sql } from "drizzle-orm";
import type { Db } from "../client";
import { queryRows } from "../rows";
import { n, iso, ts, instantIn, type CloseScope, type Num } from "./close";
import { CLOSED_STATUS_SQL } from "../schema";

/*
 * Close readiness, what still waits for someone: pending approvals (e) and retroactive
 * amendments into the period (f). The period rules and helpers are in ./close.ts.
 */

// ── (e) Pending approvals ───────────────────────────────────────────────────────────────────

export interface PendingApproval {
  source: "exception" | "correction";
  id: string;
  /** The exception it belongs to (a correction answers one), for the link. */
  exceptionId: string;
  title: string;
  kind: string;
  amountMinor: number | null;
  currency: string | null;
  since: string;
}

/**
 * What of the entity waits for an approver, whatever period it arose in: correction proposals
 * pending approval (their entity, or their exception's), and exceptions awaiting approval that
 * no pending correction already stands for, so one decision is not counted twice.
 */
export async function pendingApprovals(db: Db, entity: string): Promise<PendingApproval[]> {
  const rows = await queryRows<{
    source: "exception" | "correction";
    id: string;
    exception_id: string;
    title: string;
    kind: string;
    amount_minor: Num;
    currency: string | null;
    since: Date | string;
  }>(
    db,
    sql`select 'correction' as source, c.id, c.exception_id,
          initcap(replace(c.kind, '_', ' ')) || ' proposed: ' || left(c.reason, 120) as title,
          c.kind, c.amount_minor, c.currency, c.proposed_at as since
        from corrections c join exceptions x on x.id = c.exception_id
        where c.status = 'pending_approval' and coalesce(c.entity, x.entity) = ${entity}
        union all
        select 'exception' as source, x.id, x.id as exception_id, x.title, x.type as kind, x.amount_minor,
          x.currency, x.updated_at as since
        from exceptions x
        where x.entity = ${entity} and x.status = 'awaiting_approval'
          and not exists (
            select 1 from corrections c where c.exception_id = x.id and c.status = 'pending_approval'
          )
        order by since, id`,
  );
  return rows.map((r) => ({
    source: r.source,
    id: r.id,
    exceptionId: r.exception_id,
    title: r.title,
    kind: r.kind,
    amountMinor: r.amount_minor === null ? null : n(r.amount_minor),
    currency: r.currency,
    since: iso(r.since),
  }));
}

// ── (f) Retroactive amendments into the period ──────────────────────────────────────────────

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
            count(*) filter (where x.status not in ${CLOSED_STATUS_SQL}) as open_exceptions,
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
