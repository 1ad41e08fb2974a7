import type { Db } from "@/db/client";
import { lockAlertItemVersion, type VersionedAlertItem } from "@/db/queries/alert-versions";
import { checkIfMatch } from "@/lib/http/json-body";

/*
 * If-Match on alerting's writes: rules, channels, silences and alerts carry a version, bumped
 * on every change (an alert's: when it fires, resolves or is acknowledged), and a write that
 * names one is refused with 412 once the item has left it.
 */

const ITEM_WORDS: Record<VersionedAlertItem, string> = {
  alert_rule: "alert rule",
  alert_channel: "alert channel",
  alert_silence: "silence",
  alert: "alert",
};

/**
 * Holds the item's row until the transaction ends and refuses the write (412) when it has left
 * the version the caller named. A missing row passes: the write itself answers NotFound.
 */
export async function holdVersion(
  tx: Db,
  item: VersionedAlertItem,
  id: string,
  expected: number | null | undefined,
): Promise<void> {
  if (expected === null || expected === undefined) return;
  const current = await lockAlertItemVersion(tx, item, id);
  if (current !== null) checkIfMatch(expected, current, ITEM_WORDS[item]);
}
