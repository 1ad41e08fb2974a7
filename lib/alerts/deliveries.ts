import type { Db } from "@/db/client";
import { noticesOfAlerts, type AlertNoticeRow } from "@/db/queries/alert-deliveries";
import { findAlertState } from "@/db/queries/alerts";
import { deliveriesOf } from "@/db/queries/outbox";
import type { OutboxDelivery } from "@/db/schema";
import type { AlertChannelKind } from "@/lib/contract/alert-channels";
import type { AlertDelivery, AlertDeliveryAttempt } from "@/lib/contract/alert-notices";
import { NotFound } from "@/lib/errors";

/*
 * An alert's delivery log: each notice that told of it (firing, resolved, acknowledged) on
 * each channel, and every attempt at it with what the receiver answered. What the outbox
 * records is all there is: a notice still held (quiet hours, a group window) shows with no
 * attempt and its due time; one withdrawn while held (replaced by a newer notice) is gone.
 */

const TRANSITION: Record<string, AlertDelivery["transition"]> = {
  "alert.firing": "firing",
  "alert.resolved": "resolved",
  "alert.acknowledged": "acknowledged",
};

function attemptOf(row: OutboxDelivery, channelKind: string): AlertDeliveryAttempt {
  const ok = row.error === null;
  const result =
    row.error ??
    (channelKind === "email" ? "accepted by the SMTP server" : `HTTP ${row.httpStatus}`);
  return {
    attempt: row.attempt,
    at: row.at.toISOString(),
    httpStatus: row.httpStatus,
    result,
    ok,
    durationMs: row.durationMs,
  };
}

function deliveryOf(notice: AlertNoticeRow, attempts: OutboxDelivery[]): AlertDelivery {
  const waiting = notice.status === "pending" || notice.status === "delivering";
  return {
    id: notice.id,
    channel: {
      id: notice.channelId,
      name: notice.channelName,
      kind: notice.channelKind as AlertChannelKind,
    },
    transition: TRANSITION[notice.kind] ?? "firing",
    alertsInMessage: notice.alertCount,
    status: notice.status,
    deadLettered: notice.status === "dead",
    attempts: attempts.map((a) => attemptOf(a, notice.channelKind)),
    nextAttemptAt: waiting ? notice.nextAttemptAt.toISOString() : null,
    lastError: notice.lastError,
    createdAt: notice.createdAt.toISOString(),
    deliveredAt: notice.deliveredAt?.toISOString() ?? null,
  };
}

/** The delivery log of each of `alertIds` (an alert with none maps to an empty list). */
export async function deliveriesOfAlerts(
  db: Db,
  alertIds: readonly string[],
): Promise<Map<string, AlertDelivery[]>> {
  const notices = await noticesOfAlerts(db, alertIds);
  const attempts = notices.length
    ? await deliveriesOf(db, [...new Set(notices.map((n) => n.id))])
    : [];
  const attemptsOf = new Map<string, OutboxDelivery[]>();
  for (const a of attempts)
    attemptsOf.set(a.commandId, [...(attemptsOf.get(a.commandId) ?? []), a]);
  const log = new Map<string, AlertDelivery[]>(alertIds.map((id) => [id, []]));
  for (const notice of notices) {
    log.get(notice.alertId)?.push(deliveryOf(notice, attemptsOf.get(notice.id) ?? []));
  }
  return log;
}

/** One alert's delivery log, oldest notice first; NotFound when there is no such alert. */
export async function alertDeliveries(db: Db, alertId: string): Promise<AlertDelivery[]> {
  if (!(await findAlertState(db, alertId))) throw new NotFound("No alert with that id");
  return (await deliveriesOfAlerts(db, [alertId])).get(alertId) ?? [];
}
