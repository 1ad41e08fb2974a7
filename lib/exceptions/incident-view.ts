import type { Db } from "@/db/client";
import {
  getIncidentSummary,
  incidentCustomers,
  incidentMembers,
  incidentOfException,
  listIncidents,
  retryableMemberIds,
  type IncidentCursor,
  type IncidentFilter,
  type IncidentMember,
  type IncidentSummary,
} from "@/db/queries/incidents";
import { Conflict, NotFound } from "@/lib/errors";
import { checkIfMatch } from "@/lib/http/json-body";
import { keysetPage, type CursorCodec, type PageRequest } from "@/lib/pagination";
import { z } from "zod";
import { requestPostingRetries, type BulkRetryResult, type RetryActor } from "./retry";

/*
 * What an incident shows: its members, its blast radius (how many, the amount at risk per
 * currency, the entities and customers it touches), when it was first and last seen, and its
 * status, derived: resolved when every member is resolved or dismissed. And its one action:
 * retry every member that can be retried.
 */

/** Members listed on an incident; the counts and sums cover them all. */
export const INCIDENT_MEMBER_LIMIT = 500;
/** Customers named on an incident; `customerCount` counts them all. */
export const INCIDENT_CUSTOMER_LIMIT = 100;

export type IncidentStatus = "open" | "resolved";

export interface IncidentListItem extends Omit<IncidentSummary, "firstSeen" | "lastSeen"> {
  status: IncidentStatus;
  firstSeen: string;
  lastSeen: string;
}

export interface IncidentDetail extends IncidentListItem {
  customers: string[];
  members: (Omit<IncidentMember, "openedAt" | "closedAt"> & {
    openedAt: string;
    closedAt: string | null;
    href: string;
  })[];
  membersTruncated: boolean;
}

const statusOf = (s: IncidentSummary): IncidentStatus => (s.openCount > 0 ? "open" : "resolved");

function present(s: IncidentSummary): IncidentListItem {
  return {
    ...s,
    status: statusOf(s),
    firstSeen: s.firstSeen.toISOString(),
    lastSeen: s.lastSeen.toISOString(),
  };
}

/** The cursor: the last incident's last-seen time and id. */
const CURSOR: CursorCodec<{ l: string; i: string }, IncidentCursor> = {
  schema: z.object({
    l: z
      .string()
      .max(40)
      .refine((text) => !Number.isNaN(Date.parse(text))),
    i: z.uuid(),
  }),
  read: (keys) => ({ lastSeen: keys.l, id: keys.i }),
  write: (position) => ({ l: position.lastSeen, i: position.id }),
};

/** Incidents, the most recently seen first, a page at a time. */
export function loadIncidentList(db: Db, filter: IncidentFilter, page: PageRequest) {
  return keysetPage(page, CURSOR, (query) => listIncidents(db, filter, query), present);
}

export async function loadIncident(db: Db, id: string): Promise<IncidentDetail | null> {
  const summary = await getIncidentSummary(db, id);
  if (!summary) return null;
  const [members, customers] = await Promise.all([
    incidentMembers(db, id, INCIDENT_MEMBER_LIMIT),
    incidentCustomers(db, id, INCIDENT_CUSTOMER_LIMIT),
  ]);
  return {
    ...present(summary),
    customers,
    members: members.map((m) => ({
      ...m,
      openedAt: m.openedAt.toISOString(),
      closedAt: m.closedAt?.toISOString() ?? null,
      href: `/exceptions/${m.id}`,
    })),
    membersTruncated: summary.memberCount > members.length,
  };
}

/** The incident an exception belongs to (its id, title and size), for the exception's page. */
export function loadIncidentOfException(db: Db, exceptionId: string) {
  return incidentOfException(db, exceptionId);
}

/**
 * Retries each member that can be retried (an open failed posting) through the one retry
 * path, each in its own transaction with its own result, as the queue's bulk retry does.
 * `expectedVersion` is the incident's version the caller saw (If-Match): any change to a
 * member since refuses the whole retry with 412 before anything is asked for.
 */
export async function requestIncidentRetry(
  db: Db,
  incidentId: string,
  by: RetryActor,
  expectedVersion: number | null = null,
): Promise<BulkRetryResult[]> {
  const summary = await getIncidentSummary(db, incidentId);
  if (!summary) throw new NotFound("No such incident");
  checkIfMatch(expectedVersion, summary.version, "incident");
  const retryable = await retryableMemberIds(db, incidentId);
  if (retryable.length === 0) {
    throw new Conflict(
      "No member of this incident can be retried: only open failed ERP postings can",
    );
  }
  return requestPostingRetries(db, retryable, by);
}
