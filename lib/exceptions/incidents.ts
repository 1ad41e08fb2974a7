import { randomUUID } from "node:crypto";
import type { Db } from "@/db/client";
import { lockDetection } from "@/db/queries/detection";
import {
  openIncidentsOfCauses,
  saveIncidentAssignment,
  unassignedMembers,
  type IncidentAssignment,
  type IncidentSpan,
} from "@/db/queries/incidents";
import type { IncidentType } from "@/db/schema";

/*
 * Incidents: exceptions that share a cause are one incident, so that a hundred postings
 * refused for one missing tax code are one thing to look at, retry and alert on.
 *
 * The causes (db/queries/incidents.ts computes the key):
 * - erp_posting_failed: the same error code, from the same system (the source that reported
 *   the failed attempt), for the same entity;
 * - usage_incomplete: the same usage source (a silent source leaves window after window short);
 * - reconciliation_break: the same reconciliation run.
 *
 * The window rule: a new member joins an open incident of its cause (one with a member still
 * open) when its problem occurred within INCIDENT_WINDOW_MS of the incident's span (before its
 * first member or after its last); otherwise it starts a new incident. A run's breaks join
 * their run's open incident whenever they occurred. So failures an hour apart are one
 * incident, the same failure two days later (or after the incident was resolved) is another.
 * An exception keeps its incident for good, also when its problem recurs later.
 *
 * Assignment runs under the detection lock, after detection, in the ingestion transaction (and
 * the sweep's): two batches never see each other's half-made incidents, so one cause never
 * gets two incidents from concurrent batches, and each exception is assigned exactly once.
 */

export const INCIDENT_WINDOW_MS = 24 * 60 * 60 * 1000;

/** Whether a member of this type occurring at `at` belongs to the incident spanning `span`. */
export function joinsIncident(
  type: IncidentType,
  at: Date,
  span: Pick<IncidentSpan, "firstSeen" | "lastSeen">,
): boolean {
  if (type === "reconciliation_break") return true;
  return (
    at.getTime() >= span.firstSeen.getTime() - INCIDENT_WINDOW_MS &&
    at.getTime() <= span.lastSeen.getTime() + INCIDENT_WINDOW_MS
  );
}

/** Gives every exception that lacks one its incident; a no-op read when none lacks one. */
export async function assignIncidents(db: Db): Promise<number> {
  // Held already by detection and the sweep; taken here too so that no caller can assign
  // outside it (the lock is re-entrant within a transaction).
  await lockDetection(db);
  const members = await unassignedMembers(db);
  if (members.length === 0) return 0;
  const existing = await openIncidentsOfCauses(db, [...new Set(members.map((m) => m.causeKey))]);

  const byCause = new Map<string, IncidentSpan[]>();
  for (const span of existing) {
    byCause.set(span.causeKey, [...(byCause.get(span.causeKey) ?? []), { ...span }]);
  }
  const created = new Map<string, IncidentAssignment["created"][number]>();
  const extended = new Set<string>();
  const assigned: IncidentAssignment["members"] = [];

  // Members come in the order their problems occurred, so a run of them chains into one span.
  for (const member of members) {
    const spans = byCause.get(member.causeKey) ?? [];
    const joined = spans
      .filter((span) => joinsIncident(member.type, member.at, span))
      .sort((a, b) => b.lastSeen.getTime() - a.lastSeen.getTime())[0];
    if (joined) {
      if (member.at < joined.firstSeen) joined.firstSeen = member.at;
      if (member.at > joined.lastSeen) joined.lastSeen = member.at;
      if (!created.has(joined.id)) extended.add(joined.id);
      assigned.push({ exceptionId: member.id, incidentId: joined.id });
      continue;
    }
    const incident = {
      id: randomUUID(),
      kind: member.type,
      causeKey: member.causeKey,
      title: member.title,
      firstSeen: member.at,
      lastSeen: member.at,
    };
    created.set(incident.id, incident);
    byCause.set(member.causeKey, [...spans, incident]);
    assigned.push({ exceptionId: member.id, incidentId: incident.id });
  }

  await saveIncidentAssignment(db, {
    created: [...created.values()],
    extended: existing.filter((span) => extended.has(span.id)).map((span) => spanOf(byCause, span)),
    members: assigned,
  });
  return assigned.length;
}

/** The span as the assignment left it (the copies in `byCause` are the ones that grew). */
function spanOf(byCause: Map<string, IncidentSpan[]>, span: IncidentSpan): IncidentSpan {
  return byCause.get(span.causeKey)?.find((s) => s.id === span.id) ?? span;
}
