import "server-only";
import { asc, eq, sql } from "drizzle-orm";
import type { Db } from "../client";
import { queryRows } from "../rows";
import { exceptions, INCIDENT_TYPES_SQL, OPEN_STATUS_SQL, type IncidentType } from "../schema";

/*
 * Incidents as rows: which exceptions still need one, the open incidents they may join, and
 * the writes of an assignment. The grouping rule itself is lib/exceptions/incidents.ts.
 */

/**
 * What a member's cause is, as SQL over an exception `x` and its failed posting attempt `a`:
 * a posting's error code from one system (the source that reported the attempt) for one
 * entity; a usage source; a reconciliation run. Migration 0039 grouped the existing
 * exceptions with the same expressions.
 */
const CAUSE_KEY = sql`case x.type
  when 'erp_posting_failed' then 'erp_posting_failed|' || coalesce(a.event_source, '') || '|'
    || coalesce(x.entity, '') || '|' || coalesce(x.details->>'errorCode', 'unknown')
  when 'usage_incomplete' then 'usage_incomplete|' || coalesce(x.details->>'source', '')
  else 'reconciliation_break|' || x.run_id end`;

const CAUSE_TITLE = sql`case x.type
  when 'erp_posting_failed' then 'ERP postings failing with ' || coalesce(x.details->>'errorCode', 'unknown error')
    || coalesce(' on ' || x.entity, '') || coalesce(' (' || a.event_source || ')', '')
  when 'usage_incomplete' then 'Usage incomplete from ' || coalesce(x.details->>'source', 'an unknown source')
  else 'Reconciliation run ' || x.run_id || ' breaks' end`;

export interface UnassignedMember {
  id: string;
  type: IncidentType;
  /** When the member's problem occurred (its opened_at). */
  at: Date;
  causeKey: string;
  title: string;
}

/** The exceptions of an incident-forming type not yet in an incident, through their partial index. */
export async function unassignedMembers(db: Db): Promise<UnassignedMember[]> {
  const rows = await queryRows<{
    id: string;
    type: IncidentType;
    at: string | Date;
    cause_key: string;
    title: string;
  }>(
    db,
    sql`select x.id, x.type, x.opened_at as at, ${CAUSE_KEY} as cause_key, ${CAUSE_TITLE} as title
      from exceptions x
      left join erp_posting_attempts a on x.type = 'erp_posting_failed' and a.posting_id = x.posting_id
        and a.attempt = (x.details->>'attempt')::bigint
      where x.incident_id is null and x.type in ${INCIDENT_TYPES_SQL}
        and (x.type <> 'reconciliation_break' or x.run_id is not null)
      order by x.opened_at, x.id`,
  );
  return rows.map((r) => ({
    id: r.id,
    type: r.type,
    at: new Date(r.at),
    causeKey: r.cause_key,
    title: r.title,
  }));
}

export interface IncidentSpan {
  id: string;
  causeKey: string;
  firstSeen: Date;
  lastSeen: Date;
}

/** The incidents of these causes that still have an open member: the ones a new member may join. */
export async function openIncidentsOfCauses(
  db: Db,
  causeKeys: readonly string[],
): Promise<IncidentSpan[]> {
  if (causeKeys.length === 0) return [];
  const rows = await queryRows<{
    id: string;
    cause_key: string;
    first_seen: string | Date;
    last_seen: string | Date;
  }>(
    db,
    sql`select i.id, i.cause_key, i.first_seen, i.last_seen from incidents i
      where i.cause_key = any(array(select jsonb_array_elements_text(${JSON.stringify(causeKeys)}::jsonb)))
        and exists (select 1 from exceptions x where x.incident_id = i.id and x.status in ${OPEN_STATUS_SQL})`,
  );
  return rows.map((r) => ({
    id: r.id,
    causeKey: r.cause_key,
    firstSeen: new Date(r.first_seen),
    lastSeen: new Date(r.last_seen),
  }));
}

export interface IncidentAssignment {
  /** New incidents, with the id the assignment chose. */
  created: (IncidentSpan & { kind: IncidentType; title: string })[];
  /** Existing incidents whose span grew. */
  extended: IncidentSpan[];
  members: { exceptionId: string; incidentId: string }[];
}

/** Writes an assignment: new incidents, grown spans, then each member's incident. */
export async function saveIncidentAssignment(db: Db, assignment: IncidentAssignment) {
  const spans = (list: IncidentAssignment["created"] | IncidentSpan[]) =>
    JSON.stringify(
      list.map((i) => ({
        ...i,
        firstSeen: i.firstSeen.toISOString(),
        lastSeen: i.lastSeen.toISOString(),
      })),
    );
  if (assignment.created.length > 0) {
    await db.execute(sql`
      insert into incidents (id, kind, cause_key, title, first_seen, last_seen)
      select n.id, n.kind, n."causeKey", n.title, n."firstSeen", n."lastSeen"
      from jsonb_to_recordset(${spans(assignment.created)}::jsonb)
        as n(id uuid, kind text, "causeKey" text, title text, "firstSeen" timestamptz, "lastSeen" timestamptz)`);
  }
  if (assignment.extended.length > 0) {
    await db.execute(sql`
      update incidents i set first_seen = least(i.first_seen, n."firstSeen"),
        last_seen = greatest(i.last_seen, n."lastSeen")
      from jsonb_to_recordset(${spans(assignment.extended)}::jsonb)
        as n(id uuid, "firstSeen" timestamptz, "lastSeen" timestamptz)
      where i.id = n.id`);
  }
  if (assignment.members.length > 0) {
    // Only a member still without one: an assignment never moves an exception between incidents.
    await db.execute(sql`
      update exceptions x set incident_id = m."incidentId"
      from jsonb_to_recordset(${JSON.stringify(assignment.members)}::jsonb)
        as m("exceptionId" uuid, "incidentId" uuid)
      where x.id = m."exceptionId" and x.incident_id is null`);
  }
}

/* Reading incidents: the list, one incident's members and its blast radius. */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type IncidentStatus = "open" | "resolved";

export interface IncidentFilter {
  status?: IncidentStatus;
  kind?: IncidentType;
  entity?: string;
}

export interface IncidentCursor {
  lastSeen: string;
  id: string;
}

/** What the list and the detail share: the incident and its members counted. */
export interface IncidentSummary {
  id: string;
  kind: IncidentType;
  title: string;
  firstSeen: Date;
  lastSeen: Date;
  memberCount: number;
  openCount: number;
  /** Open failed postings: what "retry all" would ask for. */
  retryableCount: number;
  /** The sum of the members' versions: it grows with every change to any member. */
  version: number;
  entities: string[];
  customerCount: number;
  /** Amount at risk per currency, never summed across currencies. */
  amounts: { currency: string; amountMinor: number; members: number }[];
  /** Members whose amount is unknown. */
  unknownAmountCount: number;
}

interface RawSummary {
  id: string;
  kind: IncidentType;
  title: string;
  first_seen: string | Date;
  last_seen: string | Date;
  last_seen_key: string;
  member_count: number | string;
  open_count: number | string;
  retryable_count: number | string;
  version: number | string;
  entities: string[] | string | null;
  customer_count: number | string;
  amounts: IncidentSummary["amounts"] | string | null;
  unknown_amount_count: number | string;
}

const json = <T>(value: T | string | null, empty: T): T =>
  value === null ? empty : typeof value === "string" ? (JSON.parse(value) as T) : value;

/** Per incident `i`: its members counted and summed, as one lateral row `m`. */
const MEMBER_TOTALS = sql`cross join lateral (
    select count(*)::int as member_count,
      count(*) filter (where x.status in ${OPEN_STATUS_SQL})::int as open_count,
      count(*) filter (where x.type = 'erp_posting_failed' and x.status in ('open', 'in_progress'))::int as retryable_count,
      coalesce(sum(x.version), 0)::int as version,
      coalesce(to_jsonb(array_agg(distinct x.entity) filter (where x.entity is not null)), '[]'::jsonb) as entities,
      count(distinct x.customer_id)::int as customer_count,
      count(*) filter (where x.amount_minor is null or x.currency is null)::int as unknown_amount_count,
      (select coalesce(jsonb_agg(jsonb_build_object('currency', s.currency, 'amountMinor', s.amount_minor,
          'members', s.members) order by s.currency), '[]'::jsonb)
        from (select y.currency, sum(y.amount_minor)::bigint as amount_minor, count(*)::int as members
              from exceptions y where y.incident_id = i.id and y.amount_minor is not null and y.currency is not null
              group by y.currency) s) as amounts
    from exceptions x where x.incident_id = i.id
  ) m`;

const SUMMARY_COLUMNS = sql`i.id, i.kind, i.title, i.first_seen, i.last_seen,
  to_char(i.last_seen at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as last_seen_key,
  m.member_count, m.open_count, m.retryable_count, m.version, m.entities, m.customer_count,
  m.amounts, m.unknown_amount_count`;

function toSummary(r: RawSummary): IncidentSummary {
  return {
    id: r.id,
    kind: r.kind,
    title: r.title,
    firstSeen: new Date(r.first_seen),
    lastSeen: new Date(r.last_seen),
    memberCount: Number(r.member_count),
    openCount: Number(r.open_count),
    retryableCount: Number(r.retryable_count),
    version: Number(r.version),
    entities: json(r.entities, [] as string[]),
    customerCount: Number(r.customer_count),
    amounts: json(r.amounts, [] as IncidentSummary["amounts"]).map((a) => ({
      currency: a.currency,
      amountMinor: Number(a.amountMinor),
      members: Number(a.members),
    })),
    unknownAmountCount: Number(r.unknown_amount_count),
  };
}

function incidentWhere(filter: IncidentFilter) {
  const openMember = sql`exists (select 1 from exceptions o where o.incident_id = i.id and o.status in ${OPEN_STATUS_SQL})`;
  const conditions = [sql`true`];
  if (filter.status === "open") conditions.push(openMember);
  if (filter.status === "resolved") conditions.push(sql`not ${openMember}`);
  if (filter.kind) conditions.push(sql`i.kind = ${filter.kind}`);
  if (filter.entity) {
    conditions.push(
      sql`exists (select 1 from exceptions e where e.incident_id = i.id and e.entity = ${filter.entity})`,
    );
  }
  return sql.join(conditions, sql` and `);
}

/** A page of incidents, the most recently seen first, after `cursor`; one more row tells if more follow. */
export async function listIncidents(
  db: Db,
  filter: IncidentFilter,
  page: { limit: number; cursor: IncidentCursor | null },
): Promise<{ items: IncidentSummary[]; next: IncidentCursor | null }> {
  const after = page.cursor
    ? sql`and (i.last_seen, i.id) < (${page.cursor.lastSeen}::timestamptz, ${page.cursor.id}::uuid)`
    : sql``;
  const rows = await queryRows<RawSummary>(
    db,
    sql`select ${SUMMARY_COLUMNS} from (
          select i.* from incidents i where ${incidentWhere(filter)} ${after}
          order by i.last_seen desc, i.id desc limit ${page.limit + 1}
        ) i ${MEMBER_TOTALS}
        order by i.last_seen desc, i.id desc`,
  );
  const items = rows.slice(0, page.limit);
  const last = rows.length > page.limit ? rows[page.limit - 1] : undefined;
  return {
    items: items.map(toSummary),
    next: last ? { lastSeen: last.last_seen_key, id: last.id } : null,
  };
}

/** One incident counted, or null (also for a malformed id, which names nothing). */
export async function getIncidentSummary(db: Db, id: string): Promise<IncidentSummary | null> {
  if (!UUID.test(id)) return null;
  const [row] = await queryRows<RawSummary>(
    db,
    sql`select ${SUMMARY_COLUMNS} from incidents i ${MEMBER_TOTALS} where i.id = ${id}::uuid`,
  );
  return row ? toSummary(row) : null;
}

const memberColumns = {
  id: exceptions.id,
  type: exceptions.type,
  status: exceptions.status,
  severity: exceptions.severity,
  title: exceptions.title,
  entity: exceptions.entity,
  customerId: exceptions.customerId,
  invoiceId: exceptions.invoiceId,
  postingId: exceptions.postingId,
  amountMinor: exceptions.amountMinor,
  currency: exceptions.currency,
  openedAt: exceptions.openedAt,
  closedAt: exceptions.closedAt,
  version: exceptions.version,
};

/** The members of an incident, first occurred first, at most `limit`. */
export async function incidentMembers(db: Db, incidentId: string, limit: number) {
  return db
    .select(memberColumns)
    .from(exceptions)
    .where(eq(exceptions.incidentId, incidentId))
    .orderBy(asc(exceptions.openedAt), asc(exceptions.id))
    .limit(limit);
}

export type IncidentMember = Awaited<ReturnType<typeof incidentMembers>>[number];

/** The customers an incident touches, at most `limit`, by id. */
export async function incidentCustomers(
  db: Db,
  incidentId: string,
  limit: number,
): Promise<string[]> {
  const rows = await queryRows<{ customer_id: string }>(
    db,
    sql`select distinct x.customer_id from exceptions x
        where x.incident_id = ${incidentId}::uuid and x.customer_id is not null
        order by 1 limit ${limit}`,
  );
  return rows.map((r) => r.customer_id);
}

/** The ids of an incident's members that a retry may act on: its open failed postings. */
export async function retryableMemberIds(db: Db, incidentId: string): Promise<string[]> {
  const rows = await queryRows<{ id: string }>(
    db,
    sql`select x.id from exceptions x
        where x.incident_id = ${incidentId}::uuid and x.type = 'erp_posting_failed'
          and x.status in ('open', 'in_progress')
        order by x.opened_at, x.id`,
  );
  return rows.map((r) => r.id);
}

/** The incident an exception belongs to, briefly, for its page. */
export async function incidentOfException(
  db: Db,
  exceptionId: string,
): Promise<{ id: string; title: string; memberCount: number } | null> {
  if (!UUID.test(exceptionId)) return null;
  const [row] = await queryRows<{ id: string; title: string; member_count: number | string }>(
    db,
    sql`select i.id, i.title, (select count(*) from exceptions y where y.incident_id = i.id) as member_count
        from exceptions x join incidents i on i.id = x.incident_id where x.id = ${exceptionId}::uuid`,
  );
  return row ? { id: row.id, title: row.title, memberCount: Number(row.member_count) } : null;
}
