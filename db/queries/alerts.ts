import "server-only";
import { and, desc, eq, inArray, isNull, ne, sql } from "drizzle-orm";
import type { Db } from "../client";
import { queryRows } from "../rows";
import {
  OPEN_STATUS_SQL,
  alertChannels,
  alertRules,
  alerts,
  outboxCommands,
  users,
  type Alert,
  type AlertRule,
  type AlertState,
} from "../schema";

/** Rules the evaluator runs: enabled and not deleted. */
export async function evaluableRules(db: Db): Promise<AlertRule[]> {
  return db
    .select()
    .from(alertRules)
    .where(and(eq(alertRules.enabled, true), isNull(alertRules.deletedAt)))
    .orderBy(alertRules.createdAt, alertRules.id);
}

/** A rule's alerts that are not resolved yet: at most one per dimension (unique index). */
export async function unresolvedAlerts(db: Db, ruleId: string): Promise<Alert[]> {
  return db
    .select()
    .from(alerts)
    .where(and(eq(alerts.ruleId, ruleId), ne(alerts.state, "resolved")));
}

/** Open exceptions of one type per entity ('' for those without one). */
export async function openExceptionCountsByEntity(
  db: Db,
  type: string,
): Promise<{ entity: string; open: number }[]> {
  const rows = await queryRows<{ entity: string; open: string | number }>(
    db,
    sql`select coalesce(entity, '') as entity, count(*) as open from exceptions
        where type = ${type} and status in ${OPEN_STATUS_SQL} group by 1`,
  );
  return rows.map((r) => ({ entity: r.entity, open: Number(r.open) }));
}

export interface NoticeChannel {
  id: string;
}

/** The active channels among `ids`: a deleted or deactivated channel gets nothing new. */
export async function activeChannels(db: Db, ids: readonly string[]): Promise<NoticeChannel[]> {
  if (ids.length === 0) return [];
  return db
    .select({ id: alertChannels.id })
    .from(alertChannels)
    .where(and(inArray(alertChannels.id, [...ids]), eq(alertChannels.active, true)));
}

/**
 * One notice to one channel through the outbox. The key names the alert, the transition and
 * the channel, so evaluating twice can never send a transition twice.
 */
export async function enqueueNotice(
  db: Db,
  input: { channelId: string; alertId: string; kind: string; payload: Record<string, unknown> },
): Promise<void> {
  await db
    .insert(outboxCommands)
    .values({
      kind: input.kind as (typeof outboxCommands.$inferInsert)["kind"],
      alertChannelId: input.channelId,
      payload: input.payload,
      idempotencyKey: `alert:${input.alertId}:${input.kind}:${input.channelId}`,
    })
    .onConflictDoNothing({ target: outboxCommands.idempotencyKey });
}

export interface AlertListItem {
  id: string;
  ruleId: string;
  ruleName: string;
  severity: string;
  dimension: string;
  state: AlertState;
  value: number | null;
  threshold: number | null;
  startedAt: Date | null;
  resolvedAt: Date | null;
  acknowledgedAt: Date | null;
  acknowledgedByName: string | null;
  acknowledgeComment: string | null;
}

/** Alerts people see: firing and resolved ones (pending is not yet an alert), newest first. */
export async function listAlerts(
  db: Db,
  params: { states: AlertState[]; limit: number },
): Promise<AlertListItem[]> {
  return db
    .select({
      id: alerts.id,
      ruleId: alerts.ruleId,
      ruleName: alertRules.name,
      severity: alertRules.severity,
      dimension: alerts.dimension,
      state: alerts.state,
      value: alerts.value,
      threshold: alerts.threshold,
      startedAt: alerts.startedAt,
      resolvedAt: alerts.resolvedAt,
      acknowledgedAt: alerts.acknowledgedAt,
      acknowledgedByName: sql<string | null>`coalesce(${users.name}, ${users.email})`,
      acknowledgeComment: alerts.acknowledgeComment,
    })
    .from(alerts)
    .innerJoin(alertRules, eq(alertRules.id, alerts.ruleId))
    .leftJoin(users, eq(users.id, alerts.acknowledgedBy))
    .where(inArray(alerts.state, params.states))
    .orderBy(desc(alerts.startedAt), desc(alerts.id))
    .limit(params.limit);
}
