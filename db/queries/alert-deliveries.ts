import "server-only";
import { sql } from "drizzle-orm";
import type { Db } from "../client";
import { queryRows } from "../rows";
import type { CommandSummary } from "./outbox";

/*
 * The delivery log of alerts: every outbox notice that told of them, on whichever channel,
 * alone or in a group message. Notices name their alerts only in the payload (a group names
 * several), so the payload is what is matched.
 */

export interface AlertNoticeRow extends Pick<
  CommandSummary,
  | "id"
  | "kind"
  | "status"
  | "attempts"
  | "nextAttemptAt"
  | "lastError"
  | "createdAt"
  | "deliveredAt"
> {
  alertId: string;
  channelId: string;
  channelName: string;
  channelKind: string;
  /** How many alerts the message tells of: 1, or a group's size. */
  alertCount: number;
}

type Raw = Omit<AlertNoticeRow, "nextAttemptAt" | "createdAt" | "deliveredAt" | "alertCount"> & {
  nextAttemptAt: string | Date;
  createdAt: string | Date;
  deliveredAt: string | Date | null;
  alertCount: string | number;
};

/** The notices of each alert in `alertIds`, oldest first. */
export async function noticesOfAlerts(
  db: Db,
  alertIds: readonly string[],
): Promise<AlertNoticeRow[]> {
  if (alertIds.length === 0) return [];
  const ids = sql.join(
    alertIds.map((id) => sql`${id}`),
    sql`, `,
  );
  const rows = await queryRows<Raw>(
    db,
    sql`select told.alert_id as "alertId", c.id, c.kind, c.status, c.attempts,
          c.next_attempt_at as "nextAttemptAt", c.last_error as "lastError",
          c.created_at as "createdAt", c.delivered_at as "deliveredAt",
          ch.id as "channelId", ch.name as "channelName", ch.kind as "channelKind",
          case when jsonb_typeof(c.payload->'alerts') = 'array'
            then jsonb_array_length(c.payload->'alerts') else 1 end as "alertCount"
        from outbox_commands c
        join alert_channels ch on ch.id = c.alert_channel_id
        cross join lateral (
          select c.payload->'alert'->>'id' as alert_id
          union all
          select member->>'id' from jsonb_array_elements(
            case when jsonb_typeof(c.payload->'alerts') = 'array' then c.payload->'alerts'
              else '[]'::jsonb end) as member
        ) as told
        where told.alert_id in (${ids})
        order by c.created_at, ch.name, c.id`,
  );
  const date = (value: string | Date) => new Date(value);
  return rows.map((r) => ({
    ...r,
    nextAttemptAt: date(r.nextAttemptAt),
    createdAt: date(r.createdAt),
    deliveredAt: r.deliveredAt === null ? null : date(r.deliveredAt),
    alertCount: Number(r.alertCount),
  }));
}
