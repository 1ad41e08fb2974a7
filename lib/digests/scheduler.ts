import type { Db } from "@/db/client";
import {
  enqueueDigest,
  markDigestQueued,
  scheduledDigests,
  tryLockDigestScheduling,
} from "@/db/queries/digests";
import { publicBaseUrl } from "@/lib/alerts/evaluate";
import { repeatInBackground } from "@/lib/server/repeat";
import { computeDigest } from "./content";
import { dueOccurrence } from "./schedule";

/*
 * Sending digests when they are due: every minute, one instance at a time (a try-lock, like
 * the alert evaluation: another instance finding it taken skips its round). Each due digest
 * gets one outbox message per period, whose key names the digest and the period's local
 * date, and the period is marked queued in the same transaction: a restart, a second
 * instance or a round run twice cannot queue a period again. Delivery (retries, backoff,
 * dead letter) is the outbox's.
 */

export interface DigestRoundSummary {
  due: number;
  queued: number;
}

export interface DigestSchedulerOptions {
  baseUrl?: string;
}

/** One round; null when another instance holds the scheduling. */
export async function sendDueDigests(
  db: Db,
  now: Date = new Date(),
  options: DigestSchedulerOptions = {},
): Promise<DigestRoundSummary | null> {
  const baseUrl = options.baseUrl ?? publicBaseUrl();
  return db.transaction(async (tx) => {
    if (!(await tryLockDigestScheduling(tx))) return null;
    const summary: DigestRoundSummary = { due: 0, queued: 0 };
    for (const digest of await scheduledDigests(tx)) {
      const occurrence = dueOccurrence(
        {
          cadence: digest.cadence,
          weekday: digest.weekday,
          localTime: digest.localTime,
          timeZone: digest.timeZone,
        },
        digest.lastPeriodKey,
        now,
      );
      if (!occurrence) continue;
      summary.due++;
      const payload = await computeDigest(
        tx,
        {
          id: digest.id,
          cadence: digest.cadence,
          entity: digest.entity,
          ownerRole: digest.ownerRole,
        },
        occurrence,
        { now, baseUrl },
      );
      const queued = await enqueueDigest(tx, {
        digestId: digest.id,
        channelId: digest.channelId,
        periodKey: occurrence.periodKey,
        payload,
      });
      if (queued) summary.queued++;
      await markDigestQueued(tx, digest.id, occurrence.periodKey);
    }
    return summary;
  });
}

/** Runs the rounds in this server process, every minute; answers the function that stops them. */
export function startDigestScheduler(db: Db, intervalMs = 60_000): () => void {
  return repeatInBackground(
    () => sendDueDigests(db),
    intervalMs,
    "Digest scheduling failed; trying again at the next round",
  );
}
