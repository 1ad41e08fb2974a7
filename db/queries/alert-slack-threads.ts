import "server-only";
import { and, eq } from "drizzle-orm";
import type { Db } from "../client";
import { alertSlackThreads } from "../schema";

/* The Slack message each alert's later notices reply under, per channel posting with a bot token. */

export async function slackThreadOf(
  db: Db,
  thread: { alertId: string; channelId: string },
): Promise<string | null> {
  const [row] = await db
    .select({ ts: alertSlackThreads.ts })
    .from(alertSlackThreads)
    .where(
      and(
        eq(alertSlackThreads.alertId, thread.alertId),
        eq(alertSlackThreads.channelId, thread.channelId),
      ),
    );
  return row?.ts ?? null;
}

/** Keeps the first thread of each alert: a repeat posted in it does not move it. */
export async function saveSlackThreads(
  db: Db,
  alertIds: readonly string[],
  channelId: string,
  ts: string,
): Promise<void> {
  if (alertIds.length === 0) return;
  await db
    .insert(alertSlackThreads)
    .values(alertIds.map((alertId) => ({ alertId, channelId, ts })))
    .onConflictDoNothing();
}
