import type { Db } from "@/db/client";
import {
  deleteHeldNotice,
  heldFiringOn,
  heldNoticesOfAlert,
  replaceHeldPayload,
} from "@/db/queries/alert-notices";
import { activeChannels, enqueueNotice, type NoticeChannel } from "@/db/queries/alerts";
import { AlertGroupNotice, AlertNotice } from "@/lib/contract/alert-notices";
import { GROUPABLE_CHANNEL_KINDS } from "@/lib/contract/alert-channels";
import { durationMs } from "@/lib/contract/duration";
import type { AlertSeverity } from "@/lib/contract/alert-rules";
import { quietHoursEnd } from "./quiet-hours";

/*
 * Putting one alert's notice in the outbox for each of its rule's channels, shaped by each
 * channel's delivery settings:
 *
 * - quiet hours: the notice is due when they end (unless critical bypasses them);
 * - a group window: a firing notice joins the channel's held firing message, or opens one
 *   due a window from now, so alerts that start together arrive as one message;
 * - a newer notice of an alert replaces its notice still held on that channel: a channel
 *   that was quiet gets each alert's current state once, not the whole backlog.
 */

export type NoticeAlert = AlertNotice["alert"];

/** The firing alerts a held firing message carries, whichever shape it has. */
function alertsOf(payload: Record<string, unknown>): NoticeAlert[] {
  const group = AlertGroupNotice.safeParse(payload);
  if (group.success) return group.data.alerts;
  const single = AlertNotice.safeParse(payload);
  return single.success ? [single.data.alert] : [];
}

/** One alert is the documented single-alert notice; more are a group. */
function firingPayload(alerts: NoticeAlert[]): AlertNotice | AlertGroupNotice {
  return alerts.length === 1
    ? { type: "alert.firing", alert: alerts[0]! }
    : { type: "alert.group", alerts };
}

/** Takes an alert out of the notices still held for it on a channel. */
async function withdrawHeld(tx: Db, channelId: string, alertId: string, at: Date): Promise<void> {
  for (const notice of await heldNoticesOfAlert(tx, channelId, alertId, at)) {
    const rest = alertsOf(notice.payload).filter((a) => a.id !== alertId);
    if (notice.kind !== "alert.firing" || rest.length === 0) {
      await deleteHeldNotice(tx, notice.id);
    } else {
      await replaceHeldPayload(tx, notice.id, firingPayload(rest));
    }
  }
}

function groupWindowMs(channel: NoticeChannel): number | null {
  if (!channel.groupWindow || !GROUPABLE_CHANNEL_KINDS.includes(channel.kind)) return null;
  return durationMs(channel.groupWindow);
}

export interface NoticeTiming {
  now: Date;
  /** Set for a notice that may recur (a repeat, a catch-up): keeps its outbox key unique. */
  keySuffix?: string;
}

/** The notice to each of the rule's active channels, per the channel's quiet hours and group window. */
export async function deliverNotice(
  tx: Db,
  rule: { channelIds: string[]; severity: AlertSeverity | string },
  notice: AlertNotice,
  timing: NoticeTiming,
): Promise<void> {
  const { now } = timing;
  for (const channel of await activeChannels(tx, rule.channelIds)) {
    await withdrawHeld(tx, channel.id, notice.alert.id, now);
    const quietUntil = quietHoursEnd(channel.quietHours, rule.severity, now);
    const windowMs = notice.type === "alert.firing" ? groupWindowMs(channel) : null;
    if (windowMs !== null) {
      const open = await heldFiringOn(tx, channel.id, now);
      if (open) {
        await replaceHeldPayload(
          tx,
          open.id,
          firingPayload([...alertsOf(open.payload), notice.alert]),
        );
        continue;
      }
    }
    const windowEnd = windowMs === null ? null : new Date(now.getTime() + windowMs);
    const sendAt = [quietUntil, windowEnd].reduce<Date>(
      (latest, at) => (at && at > latest ? at : latest),
      now,
    );
    await enqueueNotice(tx, {
      channelId: channel.id,
      alertId: notice.alert.id,
      kind: notice.type,
      payload: notice,
      sendAt,
      keySuffix: timing.keySuffix,
    });
  }
}
