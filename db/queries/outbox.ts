import "server-only";
import { sql } from "drizzle-orm";
import type { Db } from "../client";
import { queryRows } from "../rows";

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
  channelConfig: { url?: string; to?: string[] } | null;
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
        d.was_status, d.previous_attempt
    ),
    abandoned as (
      insert into outbox_deliveries (command_id, attempt, error)
      select cl.id, cl.previous_attempt, 'abandoned: the dispatcher stopped before recording an outcome (lease expired)'
      from claimed cl where cl.was_status = 'delivering'
    )
    select cl.id, cl.kind, cl.payload, cl.attempts as attempt, cl.endpoint_id as "endpointId",
      coalesce(e.url, ch.config->>'url') as url, coalesce(e.secret, ch.secret) as secret,
      coalesce(e.active, ch.active) as "endpointActive", cl.alert_channel_id as "alertChannelId",
      ch.kind as "channelKind", ch.config as "channelConfig"
    from claimed cl
    left join webhook_endpoints e on e.id = cl.endpoint_id
    left join alert_channels ch on ch.id = cl.alert_channel_id
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
