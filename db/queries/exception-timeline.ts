import "server-only";
import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../client";
import { queryRows } from "../rows";
import type { ExceptionCorrelation, ExceptionType } from "../schema";
import { UNKNOWN_SOURCE, type RejectedEventSqlRow } from "./rejected-events";

/*
 * The story of one exception: the telemetry that bears on it, what Closeline did about it
 * and what people did and said, merged by time.
 *
 * Related events are read from the events table, not the projections: a projection keeps
 * only the latest event per key, so the failed result a later reconciliation superseded, or
 * the attempt re-sent with new data, would be missing from the story. Each correlation has
 * a partial expression index (migration 0009): an event is related when its data names
 *   - the exception's invoice (invoice issued and disputed, posting attempts, payments),
 *   - its posting (attempts; only needed when no invoice is known: attempts name both),
 *   - its payment (the payment and entitlement updates that cite it),
 *   - its reconciliation run and key (every result for the compared key, superseded ones too),
 *   - its contract (amendments),
 *   - its customer, for entitlement updates from a week before it opened (an update that
 *     forgot to cite the payment is what an operator looks for),
 * and for usage_incomplete, every checkpoint for its window (same source, entity, meter and
 * window), searched among checkpoints sent from a day before the window to a week after it.
 */

export interface TimelineEvent {
  kind: "event";
  at: Date;
  seq: number;
  type: string;
  source: string;
  eventId: string;
  receivedAt: Date;
  data: Record<string, unknown>;
}

export interface TimelineAudit {
  kind: "audit";
  at: Date;
  id: number;
  action: string;
  actorType: string;
  actorId: string | null;
  actorLabel: string | null;
  before: unknown;
  after: unknown;
}

export interface TimelineComment {
  kind: "comment";
  at: Date;
  id: number;
  authorId: string;
  authorEmail: string;
  authorName: string | null;
  body: string;
}

/** A rejected item of an event_rejected group (rejections are not events, but they are its story). */
export interface TimelineRejection {
  kind: "rejected";
  at: Date;
  id: number;
  source: string | null;
  eventId: string | null;
  type: string | null;
  errors: string[];
}

export type TimelineItem = TimelineEvent | TimelineAudit | TimelineComment | TimelineRejection;

export interface TimelineSubject extends ExceptionCorrelation {
  id: string;
  type: ExceptionType;
  entity: string | null;
  openedAt: Date;
  details: Record<string, unknown>;
}

export interface Timeline {
  items: TimelineItem[];
  /** True when there were more related events than `limit` and only the latest are shown. */
  truncated: boolean;
}

const DAY_MS = 86_400_000;
const toDate = (v: Date | string) => (v instanceof Date ? v : new Date(v));
const str = (v: unknown) => (typeof v === "string" && v.length > 0 ? v : null);
const json = (v: unknown) => (typeof v === "string" ? (JSON.parse(v) as unknown) : v);

/** The conditions under which an event is related, one per correlation the exception has. */
function eventCorrelations(x: TimelineSubject): SQL[] {
  const branches: SQL[] = [];
  // Type lists are literals so that each branch matches its partial index's predicate.
  if (x.invoiceId) {
    branches.push(sql`e.type in ('invoice.issued', 'invoice.disputed', 'erp.posting.attempted', 'payment.received')
      and (e.data->>'invoiceId') = ${x.invoiceId}`);
  } else if (x.postingId) {
    branches.push(
      sql`e.type = 'erp.posting.attempted' and (e.data->>'postingId') = ${x.postingId}`,
    );
  }
  if (x.paymentId) {
    branches.push(
      sql`e.type in ('payment.received', 'entitlement.updated') and (e.data->>'paymentId') = ${x.paymentId}`,
    );
  }
  if (x.runId) {
    const key = str(x.details.key);
    branches.push(
      key
        ? sql`e.type = 'reconciliation.result' and (e.data->>'runId') = ${x.runId} and (e.data->>'key') = ${key}`
        : sql`e.type = 'reconciliation.result' and (e.data->>'runId') = ${x.runId}`,
    );
  }
  if (x.contractId) {
    branches.push(sql`e.type = 'contract.amended' and (e.data->>'contractId') = ${x.contractId}`);
  }
  if (x.customerId) {
    const since = new Date(x.openedAt.getTime() - 7 * DAY_MS).toISOString();
    branches.push(sql`e.type = 'entitlement.updated' and (e.data->>'customerId') = ${x.customerId}
      and e.time >= ${since}::timestamptz`);
  }
  if (x.type === "usage_incomplete") {
    const source = str(x.details.source);
    const meter = str(x.details.meter);
    const windowStart = str(x.details.windowStart);
    const windowEnd = str(x.details.windowEnd);
    if (source && meter && windowStart && windowEnd && x.entity) {
      const from = new Date(Date.parse(windowStart) - DAY_MS).toISOString();
      const to = new Date(Date.parse(windowEnd) + 7 * DAY_MS).toISOString();
      branches.push(sql`e.type = 'usage.checkpoint' and e.time >= ${from}::timestamptz and e.time < ${to}::timestamptz
        and e.source = ${source} and (e.data->>'entity') = ${x.entity} and (e.data->>'meter') = ${meter}
        and (e.data->>'windowStart')::timestamptz = ${windowStart}::timestamptz
        and (e.data->>'windowEnd')::timestamptz = ${windowEnd}::timestamptz`);
    }
  }
  return branches;
}

async function relatedEvents(db: Db, x: TimelineSubject, limit: number): Promise<TimelineEvent[]> {
  const branches = eventCorrelations(x);
  if (branches.length === 0) return [];
  // One SELECT per correlation, so each uses its own index; UNION drops an event two of them find.
  const union = sql.join(
    branches.map(
      (where) =>
        sql`(select e.seq, e.time, e.type, e.source, e.event_id, e.received_at, e.data from events e where ${where})`,
    ),
    sql` union `,
  );
  const rows = await queryRows<{
    seq: string | number;
    time: Date | string;
    type: string;
    source: string;
    event_id: string;
    received_at: Date | string;
    data: Record<string, unknown> | string;
  }>(db, sql`select * from (${union}) related order by time desc, seq desc limit ${limit}`);
  return rows.map((r) => ({
    kind: "event",
    at: toDate(r.time),
    seq: Number(r.seq),
    type: r.type,
    source: r.source,
    eventId: r.event_id,
    receivedAt: toDate(r.received_at),
    data: json(r.data) as Record<string, unknown>,
  }));
}

async function auditEntries(db: Db, exceptionId: string, limit: number): Promise<TimelineAudit[]> {
  const rows = await queryRows<{
    id: string | number;
    at: Date | string;
    action: string;
    actor_type: string;
    actor_id: string | null;
    actor_label: string | null;
    before: unknown;
    after: unknown;
  }>(
    db,
    sql`select id, at, action, actor_type, actor_id, actor_label, before, after from audit_log
        where target_type = 'exception' and target_id = ${exceptionId}
        order by at desc, id desc limit ${limit}`,
  );
  return rows.map((r) => ({
    kind: "audit",
    at: toDate(r.at),
    id: Number(r.id),
    action: r.action,
    actorType: r.actor_type,
    actorId: r.actor_id,
    actorLabel: r.actor_label,
    before: json(r.before),
    after: json(r.after),
  }));
}

async function comments(db: Db, exceptionId: string): Promise<TimelineComment[]> {
  const rows = await queryRows<{
    id: string | number;
    created_at: Date | string;
    author_id: string;
    email: string;
    name: string | null;
    body: string;
  }>(
    db,
    sql`select c.id, c.created_at, coalesce(c.author_id, c.author_key_id) as author_id,
          coalesce(u.email, 'service key ' || k.name) as email, u.name, c.body
        from exception_comments c left join users u on u.id = c.author_id
          left join api_keys k on k.id = c.author_key_id
        where c.exception_id = ${exceptionId}::uuid order by c.created_at, c.id`,
  );
  return rows.map((r) => ({
    kind: "comment",
    at: toDate(r.created_at),
    id: Number(r.id),
    authorId: r.author_id,
    authorEmail: r.email,
    authorName: r.name,
    body: r.body,
  }));
}

/** The latest rejected items of an event_rejected group: same source and first reason. */
async function rejections(db: Db, x: TimelineSubject, limit: number): Promise<TimelineRejection[]> {
  const source = str(x.details.source);
  const reason = str(x.details.reason);
  if (x.type !== "event_rejected" || !source || !reason) return [];
  // rejectionGroups() files items without a source under this label.
  const sourceMatch = source === UNKNOWN_SOURCE ? sql`r.source is null` : sql`r.source = ${source}`;
  const rows = await queryRows<RejectedEventSqlRow>(
    db,
    sql`select r.id, r.received_at, r.source, r.event_id, r.type, r.errors from rejected_events r
        where ${sourceMatch} and r.errors[1] = ${reason}
        order by r.received_at desc, r.id desc limit ${limit}`,
  );
  return rows.map((r) => ({
    kind: "rejected",
    at: toDate(r.received_at),
    id: Number(r.id),
    source: r.source,
    eventId: r.event_id,
    type: r.type,
    errors: r.errors,
  }));
}

/** Events before Closeline's own entries at the same instant: the telemetry came first. */
const KIND_ORDER: Record<TimelineItem["kind"], number> = {
  event: 0,
  rejected: 1,
  audit: 2,
  comment: 3,
};

/**
 * The exception's timeline, oldest first: up to `limit` of the latest related events and
 * rejected items, every audit entry targeting it and every comment. The audit entry a
 * comment writes (exception.commented) is left out: the comment itself stands in its place.
 */
export async function getExceptionTimeline(
  db: Db,
  subject: TimelineSubject,
  options: { limit?: number } = {},
): Promise<Timeline> {
  const limit = options.limit ?? 200;
  const [events, audit, said, rejected] = await Promise.all([
    relatedEvents(db, subject, limit + 1),
    auditEntries(db, subject.id, 1000),
    comments(db, subject.id),
    rejections(db, subject, limit + 1),
  ]);
  const truncated = events.length > limit || rejected.length > limit;
  // Both were read newest first (to keep the latest when there are too many); put them back
  // in the order they happened, so that items of one instant keep it after the stable sort.
  const items: TimelineItem[] = [
    ...events.slice(0, limit).reverse(),
    ...rejected.slice(0, limit).reverse(),
    ...audit.filter((a) => a.action !== "exception.commented"),
    ...said,
  ];
  items.sort((a, b) => a.at.getTime() - b.at.getTime() || KIND_ORDER[a.kind] - KIND_ORDER[b.kind]);
  return { items, truncated };
}
