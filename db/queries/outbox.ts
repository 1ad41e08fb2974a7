import "server-only";
import { asc, desc, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Db } from "../client";
import { queryRows, firstOrNull } from "../rows";
import {
  type AlertChannelConfig,
  outboxCommands,
  outboxDeliveries,
  users,
  webhookEndpoints,
  type CommandKind,
  type CommandStatus,
  type OutboxCommand,
  type OutboxDelivery,
} from "../schema";

/*
 * The dispatcher's statements. Times come from the database clock, so several app instances
 * with drifting clocks agree on what is due and when a claim has lapsed.
 */

export interface ClaimedCommand {
  id: string;
  kind: string;
  payload: unknown;
  /** This attempt's number (attempts so far, this one included). */
  attempt: number;
  endpointId: string | null;
  /** The endpoint's URL, or an alert channel's (null for a channel that mails). */
  url: string | null;
  /** Sealed; null for an alert channel that signs nothing. */
  secret: string | null;
  endpointActive: boolean;
  /** Set for an alert notice: the channel it goes to, its kind and its address. */
  alertChannelId: string | null;
  channelKind: string | null;
  channelConfig: AlertChannelConfig | null;
  /** Set for a digest; with no channel it is mailed to its owner (channelKind 'email'). */
  digestId: string | null;
}

const interval = (ms: number) => sql`make_interval(secs => ${Math.max(0, ms) / 1000})`;

/**
 * Claims up to `limit` due commands for this dispatcher: pending ones whose time has come and
 * delivering ones whose lease lapsed (their dispatcher died mid-delivery). `FOR UPDATE SKIP
 * LOCKED` lets several dispatchers claim at once without waiting for or taking each other's
 * rows; the lease then keeps the claim after this short transaction commits. A lapsed claim
 * leaves a line in the delivery log, since its outcome was never recorded.
 */
export async function claimDueCommands(
  db: Db,
  options: { limit: number; leaseMs: number },
): Promise<ClaimedCommand[]> {
  return queryRows<ClaimedCommand>(
    db,
    sql`
    with due as (
      select c.id, c.status as was_status, c.attempts as previous_attempt
      from outbox_commands c
      where (c.status = 'pending' and c.next_attempt_at <= now())
         or (c.status = 'delivering' and c.lease_until <= now())
      order by c.next_attempt_at, c.id
      limit ${options.limit}
      for update skip locked
    ),
    claimed as (
      update outbox_commands c set status = 'delivering', attempts = c.attempts + 1,
        lease_until = now() + ${interval(options.leaseMs)}, updated_at = now()
      from due d where c.id = d.id
      returning c.id, c.kind, c.payload, c.attempts, c.endpoint_id, c.alert_channel_id,
        c.digest_id, d.was_status, d.previous_attempt
    ),
    abandoned as (
      insert into outbox_deliveries (command_id, attempt, error)
      select cl.id, cl.previous_attempt, 'abandoned: the dispatcher stopped before recording an outcome (lease expired)'
      from claimed cl where cl.was_status = 'delivering'
    )
    select cl.id, cl.kind, cl.payload, cl.attempts as attempt, cl.endpoint_id as "endpointId",
      coalesce(e.url, ch.config->>'url') as url, coalesce(e.secret, ch.secret) as secret,
      coalesce(e.active, ch.active, du.active and dg.deleted_at is null) as "endpointActive",
      cl.alert_channel_id as "alertChannelId", cl.digest_id as "digestId",
      coalesce(ch.kind, case when du.id is not null then 'email' end) as "channelKind",
      coalesce(ch.config, case when du.id is not null
        then jsonb_build_object('to', jsonb_build_array(du.email)) end) as "channelConfig"
    from claimed cl
    left join webhook_endpoints e on e.id = cl.endpoint_id
    left join alert_channels ch on ch.id = cl.alert_channel_id
    -- A digest with no channel goes to its owner's address as it is when it is sent.
    left join digests dg on dg.id = cl.digest_id and cl.alert_channel_id is null
    left join users du on du.id = dg.owner_id
    order by cl.id`,
  );
}

export interface DeliveryOutcome {
  httpStatus: number | null;
  error: string | null;
  durationMs: number;
}

/**
 * A 2xx is final whoever holds the claim: even if this dispatcher's lease lapsed meanwhile,
 * the receiver has the command, and recording it stops any further delivery.
 */
export async function recordDelivered(
  db: Db,
  id: string,
  attempt: number,
  outcome: DeliveryOutcome,
): Promise<void> {
  await db.execute(sql`
    with done as (
      update outbox_commands set status = 'delivered', delivered_at = now(), lease_until = null,
        last_error = null, updated_at = now()
      where id = ${id} and status <> 'delivered'
    )
    insert into outbox_deliveries (command_id, attempt, http_status, error, duration_ms)
    values (${id}, ${attempt}, ${outcome.httpStatus}, null, ${outcome.durationMs})`);
}

/**
 * A failed attempt schedules the next one, or dead-letters the command after the last. Only
 * the holder of the current claim (same attempt number, still delivering) may do so, so a
 * dispatcher whose lease lapsed cannot undo the newer claim's outcome.
 */
export async function recordFailed(
  db: Db,
  id: string,
  attempt: number,
  outcome: DeliveryOutcome,
  next: { retryInMs: number } | "dead",
): Promise<void> {
  const error = outcome.error ?? `HTTP ${outcome.httpStatus}`;
  const status = next === "dead" ? "dead" : "pending";
  const retryInMs = next === "dead" ? 0 : next.retryInMs;
  await db.execute(sql`
    with failed as (
      update outbox_commands set status = ${status}, next_attempt_at = now() + ${interval(retryInMs)},
        lease_until = null, last_error = ${error.slice(0, 1000)}, updated_at = now()
      where id = ${id} and status = 'delivering' and attempts = ${attempt}
    )
    insert into outbox_deliveries (command_id, attempt, http_status, error, duration_ms)
    values (${id}, ${attempt}, ${outcome.httpStatus}, ${error.slice(0, 1000)}, ${outcome.durationMs})`);
}

/* Writing commands, and what the admin page and the exception view read about them. */

/**
 * Inserts a command unless one with its idempotency key exists; null then. The unique index
 * makes a concurrent insert with the same key wait for the first transaction, then do nothing.
 */
export async function insertCommand(
  db: Db,
  values: {
    kind: CommandKind;
    endpointId: string;
    payload: Record<string, unknown>;
    exceptionId: string | null;
    idempotencyKey: string;
    createdBy: string | null;
  },
): Promise<OutboxCommand | null> {
  return firstOrNull(
    db
      .insert(outboxCommands)
      .values(values)
      .onConflictDoNothing({ target: outboxCommands.idempotencyKey })
      .returning(),
  );
}

export async function findCommandByKey(
  db: Db,
  idempotencyKey: string,
): Promise<OutboxCommand | null> {
  return firstOrNull(
    db
      .select()
      .from(outboxCommands)
      .where(eq(outboxCommands.idempotencyKey, idempotencyKey))
      .limit(1),
  );
}

/** What a command is and, for an alert notice, the channel it goes to. */
export async function commandDestination(
  db: Db,
  id: string,
): Promise<{
  kind: OutboxCommand["kind"];
  alertChannelId: string | null;
  digestId: string | null;
} | null> {
  return firstOrNull(
    db
      .select({
        kind: outboxCommands.kind,
        alertChannelId: outboxCommands.alertChannelId,
        digestId: outboxCommands.digestId,
      })
      .from(outboxCommands)
      .where(eq(outboxCommands.id, id))
      .limit(1),
  );
}

/**
 * Puts a dead command back in line with a fresh set of attempts, optionally to another
 * endpoint; null when the command is not dead.
 */
export async function requeueDeadCommand(
  db: Db,
  id: string,
  destination: { endpointId?: string },
): Promise<OutboxCommand | null> {
  return firstOrNull(
    db
      .update(outboxCommands)
      .set({
        status: "pending",
        attempts: 0,
        nextAttemptAt: sql`now()`,
        leaseUntil: null,
        ...destination,
        updatedAt: sql`now()`,
      })
      .where(sql`${outboxCommands.id} = ${id} and ${outboxCommands.status} = 'dead'`)
      .returning(),
  );
}

/** A command's delivery state, locked until the transaction ends. */
export async function lockCommandState(
  tx: Db,
  id: string,
): Promise<{ status: CommandStatus; attempts: number; lastError: string | null } | null> {
  return firstOrNull(
    tx
      .select({
        status: outboxCommands.status,
        attempts: outboxCommands.attempts,
        lastError: outboxCommands.lastError,
      })
      .from(outboxCommands)
      .where(eq(outboxCommands.id, id))
      .for("update"),
  );
}

export interface CommandSummary {
  id: string;
  kind: string;
  status: CommandStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
  exceptionId: string | null;
  payload: unknown;
  endpointName: string;
  createdByEmail: string | null;
}

const summary = {
  id: outboxCommands.id,
  kind: outboxCommands.kind,
  status: outboxCommands.status,
  attempts: outboxCommands.attempts,
  nextAttemptAt: outboxCommands.nextAttemptAt,
  lastError: outboxCommands.lastError,
  createdAt: outboxCommands.createdAt,
  deliveredAt: outboxCommands.deliveredAt,
  exceptionId: outboxCommands.exceptionId,
  payload: outboxCommands.payload,
  endpointName: webhookEndpoints.name,
  createdByEmail: users.email,
};

function selectSummaries(db: Db, where: SQL | undefined) {
  return db
    .select(summary)
    .from(outboxCommands)
    .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, outboxCommands.endpointId))
    .leftJoin(users, eq(users.id, outboxCommands.createdBy))
    .where(where);
}

/** Commands in any of `statuses`, newest first. */
export async function listCommandSummaries(
  db: Db,
  params: { statuses: readonly CommandStatus[]; limit: number },
): Promise<CommandSummary[]> {
  return selectSummaries(db, inArray(outboxCommands.status, [...params.statuses]))
    .orderBy(desc(outboxCommands.createdAt), desc(outboxCommands.id))
    .limit(params.limit);
}

/** The commands written for one exception, oldest first. */
export async function commandSummariesOfException(
  db: Db,
  exceptionId: string,
): Promise<CommandSummary[]> {
  return selectSummaries(db, eq(outboxCommands.exceptionId, exceptionId)).orderBy(
    asc(outboxCommands.createdAt),
  );
}

/** Every delivery attempt of the commands, by command and then in the order they happened. */
export async function deliveriesOf(
  db: Db,
  commandIds: readonly string[],
): Promise<OutboxDelivery[]> {
  return db
    .select()
    .from(outboxDeliveries)
    .where(inArray(outboxDeliveries.commandId, [...commandIds]))
    .orderBy(asc(outboxDeliveries.commandId), asc(outboxDeliveries.at), asc(outboxDeliveries.id));
}

/** How many commands are in each status that has any. */
export async function commandCountsByStatus(
  db: Db,
): Promise<{ status: CommandStatus; count: number }[]> {
  return db
    .select({ status: outboxCommands.status, count: sql<number>`count(*)::int` })
    .from(outboxCommands)
    .groupBy(outboxCommands.status);
}
