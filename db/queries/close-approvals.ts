import { sql } from "drizzle-orm";
import type { Db } from "../client";
import { queryRows } from "../rows";
import { n, iso, type Num } from "./close-scope";

// Close readiness, check (e): what waits for an approver.

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
