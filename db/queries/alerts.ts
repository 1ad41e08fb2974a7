import "server-only";
import { and, desc, eq, inArray, isNull, ne, sql, type SQL } from "drizzle-orm";
import type { Db } from "../client";
import { queryRows, firstOrNull } from "../rows";
import { silencedUntilSql } from "./alert-silences";
import { tryTransactionLock } from "./detection";
import {
  OPEN_STATUS_SQL,
  alertChannels,
  alertRules,
  alerts,
  outboxCommands,
  users,
  type Alert,
  type AlertChannel,
  type AlertRule,
  type AlertState,
} from "../schema";
import { ADVISORY_LOCKS } from "../advisory-locks";

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
  kind: string;
  quietHours: AlertChannel["quietHours"];
  groupWindow: string | null;
}

/** The active channels among `ids`: a deleted or deactivated channel gets nothing new. */
export async function activeChannels(db: Db, ids: readonly string[]): Promise<NoticeChannel[]> {
  if (ids.length === 0) return [];
  return db
    .select({
      id: alertChannels.id,
      kind: alertChannels.kind,
      quietHours: alertChannels.quietHours,
      groupWindow: alertChannels.groupWindow,
    })
    .from(alertChannels)
    .where(and(inArray(alertChannels.id, [...ids]), eq(alertChannels.active, true)));
}

/**
 * One notice to one channel through the outbox. The key names the alert, the transition and
 * the channel, so evaluating twice can never send a transition twice; a notice that may
 * recur (a repeat, the catch-up after a silence) adds `keySuffix`. `sendAt`: when it is due
 * (later than now while quiet hours or a group window hold it).
 */
export async function enqueueNotice(
  db: Db,
  input: {
    channelId: string;
    alertId: string;
    kind: string;
    payload: Record<string, unknown>;
    sendAt?: Date;
    keySuffix?: string;
  },
): Promise<void> {
  await db
    .insert(outboxCommands)
    .values({
      kind: input.kind as (typeof outboxCommands.$inferInsert)["kind"],
      alertChannelId: input.channelId,
      payload: input.payload,
      idempotencyKey: `alert:${input.alertId}:${input.kind}:${input.channelId}${input.keySuffix ?? ""}`,
      ...(input.sendAt ? { nextAttemptAt: input.sendAt } : {}),
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
  /** Send it as If-Match to acknowledge this state of the alert. */
  version: number;
  /** The latest end of the silences covering it now; null when none does. */
  silencedUntil: Date | null;
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
      version: alerts.version,
      silencedUntil: silencedUntilSql(alerts.ruleId, alerts.dimension),
    })
    .from(alerts)
    .innerJoin(alertRules, eq(alertRules.id, alerts.ruleId))
    .leftJoin(users, eq(users.id, alerts.acknowledgedBy))
    .where(inArray(alerts.state, params.states))
    .orderBy(desc(alerts.startedAt), desc(alerts.id))
    .limit(params.limit);
}

/* The alert lifecycle's writes (lib/alerts/evaluate.ts) and acknowledgement. */

const EVALUATION_LOCK_ID = ADVISORY_LOCKS.alertEvaluation;

/** Takes the evaluation lock until the transaction ends, or answers false when another holds it. */
export async function tryLockEvaluation(tx: Db): Promise<boolean> {
  return tryTransactionLock(tx, EVALUATION_LOCK_ID);
}

export interface AlertReading {
  value: number | null;
  threshold: number | null;
}

export async function insertPendingAlert(
  tx: Db,
  input: AlertReading & { ruleId: string; dimension: string; at: Date },
): Promise<Alert> {
  const [created] = await tx
    .insert(alerts)
    .values({
      ruleId: input.ruleId,
      dimension: input.dimension,
      state: "pending",
      value: input.value,
      threshold: input.threshold,
      pendingSince: input.at,
      lastEvaluatedAt: input.at,
    })
    .returning();
  return created!;
}

/**
 * A change people see: applies `set` and bumps the version, only while the alert is in state
 * `from` (and `also` holds), so two evaluators or two people cannot both make it.
 * Null when the alert has moved on.
 */
function changeAlertIn(
  tx: Db,
  id: string,
  from: AlertState,
  set: Partial<typeof alerts.$inferInsert>,
  also?: SQL,
): Promise<Alert | null> {
  return firstOrNull(
    tx
      .update(alerts)
      .set({ ...set, version: sql`${alerts.version} + 1` })
      .where(and(eq(alerts.id, id), eq(alerts.state, from), also))
      .returning(),
  );
}

/** Pending → firing; null when the alert is no longer pending. `notified`: its channels are told now. */
export async function markAlertFiring(
  tx: Db,
  id: string,
  reading: AlertReading,
  at: Date,
  notified: boolean,
): Promise<Alert | null> {
  return changeAlertIn(tx, id, "pending", {
    state: "firing",
    startedAt: at,
    notifiedAt: notified ? at : null,
    value: reading.value,
    threshold: reading.threshold,
    lastEvaluatedAt: at,
  });
}

export async function recordAlertReading(
  tx: Db,
  id: string,
  reading: AlertReading,
  at: Date,
): Promise<void> {
  await tx
    .update(alerts)
    .set({ value: reading.value, threshold: reading.threshold, lastEvaluatedAt: at })
    .where(eq(alerts.id, id));
}

/** When a firing alert's channels were last told it fires; null: a notice is owed. */
export async function setAlertNotified(tx: Db, id: string, at: Date | null): Promise<void> {
  await tx.update(alerts).set({ notifiedAt: at }).where(eq(alerts.id, id));
}

/** Drops an alert that is still pending. */
export async function dropPendingAlert(tx: Db, id: string): Promise<void> {
  await tx.delete(alerts).where(and(eq(alerts.id, id), eq(alerts.state, "pending")));
}

export async function markAlertEvaluated(tx: Db, id: string, at: Date): Promise<void> {
  await tx.update(alerts).set({ lastEvaluatedAt: at }).where(eq(alerts.id, id));
}

/** Firing → resolved; null when the alert is no longer firing. */
export async function markAlertResolved(
  tx: Db,
  id: string,
  value: number | null,
  at: Date,
): Promise<Alert | null> {
  return changeAlertIn(tx, id, "firing", {
    state: "resolved",
    resolvedAt: at,
    value,
    lastEvaluatedAt: at,
  });
}

export async function findAlertState(
  db: Db,
  id: string,
): Promise<{
  state: AlertState;
  acknowledgedAt: Date | null;
  ruleId: string;
  dimension: string;
} | null> {
  return firstOrNull(
    db
      .select({
        state: alerts.state,
        acknowledgedAt: alerts.acknowledgedAt,
        ruleId: alerts.ruleId,
        dimension: alerts.dimension,
      })
      .from(alerts)
      .where(eq(alerts.id, id)),
  );
}

/** Acknowledges a firing alert once; null when it is not firing or was acknowledged already. */
export async function acknowledgeFiringAlert(
  tx: Db,
  id: string,
  input: { at: Date; by: string | null; comment: string },
): Promise<Alert | null> {
  return changeAlertIn(
    tx,
    id,
    "firing",
    { acknowledgedAt: input.at, acknowledgedBy: input.by, acknowledgeComment: input.comment },
    isNull(alerts.acknowledgedAt),
  );
}

/** A rule whatever its state (a deleted rule's alerts still name it). */
export async function findAlertRule(db: Db, id: string): Promise<AlertRule | null> {
  return firstOrNull(db.select().from(alertRules).where(eq(alertRules.id, id)));
}

export async function findUserName(
  db: Db,
  id: string,
): Promise<{ name: string | null; email: string } | null> {
  return firstOrNull(
    db.select({ name: users.name, email: users.email }).from(users).where(eq(users.id, id)),
  );
}

export interface AlertCounts {
  firing: number;
  unacknowledged: number;
}

export async function countAlerts(db: Db): Promise<AlertCounts> {
  const [row] = await db
    .select({
      firing: sql<number>`count(*)`.mapWith(Number),
      unacknowledged: sql<number>`count(*) filter (where ${alerts.acknowledgedAt} is null)`.mapWith(
        Number,
      ),
    })
    .from(alerts)
    .where(eq(alerts.state, "firing"));
  return row ?? { firing: 0, unacknowledged: 0 };
}

/**
 * Open exceptions of one type per entity ('' for none) at each instant from `from` to `to`,
 * every `stepMs`, from when each was opened and closed. An exception closed and reopened
 * counts as open from its first opening: the table keeps only its latest close.
 */
export async function openExceptionCountsOver(
  db: Db,
  params: { type: string; from: Date; to: Date; stepMs: number },
): Promise<{ at: Date; entity: string; open: number }[]> {
  const rows = await queryRows<{ at: string | Date; entity: string; open: string | number }>(
    db,
    sql`select g.at, coalesce(e.entity, '') as entity, count(e.id) as open
        from generate_series(${params.from.toISOString()}::timestamptz, ${params.to.toISOString()}::timestamptz,
          make_interval(secs => ${params.stepMs / 1000})) as g(at)
        join exceptions e on e.type = ${params.type} and e.opened_at <= g.at
          and (e.closed_at is null or e.closed_at > g.at)
        group by 1, 2 order by 1, 2`,
  );
  return rows.map((r) => ({ at: new Date(r.at), entity: r.entity, open: Number(r.open) }));
}
