import "server-only";
import { eq } from "drizzle-orm";
import type { Db } from "../client";
import { alertChannels, alertRules, alertSilences, alerts } from "../schema";

/* The versions alerting's writes are checked against (If-Match), read under the row lock. */

const VERSIONED = {
  alert_rule: alertRules,
  alert_channel: alertChannels,
  alert_silence: alertSilences,
  alert: alerts,
};
export type VersionedAlertItem = keyof typeof VERSIONED;

/**
 * The item's version, its row locked until the transaction ends, so no other write changes it
 * between the check and this transaction's own write; null when there is no such row.
 */
export async function lockAlertItemVersion(
  tx: Db,
  item: VersionedAlertItem,
  id: string,
): Promise<number | null> {
  const table = VERSIONED[item];
  const [row] = await tx
    .select({ version: table.version })
    .from(table)
    .where(eq(table.id, id))
    .for("update");
  return row?.version ?? null;
}
