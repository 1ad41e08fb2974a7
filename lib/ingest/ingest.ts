import type { Db } from "@/db/client";
import { insertEvents, insertRejected, type EventRow, type RejectedRow } from "@/db/queries/ingest";
import { validateCloudEvent, type ValidEvent } from "@/lib/contract";
import { storableText, toStorable } from "@/lib/contract/storable";
import { detectFromEvents, detectFromRejections } from "@/lib/exceptions/detect";
import { requestAlertEvaluation } from "@/lib/alerts/loop";

export interface RejectedItem {
  index: number;
  id: string | null;
  errors: string[];
}

export interface IngestResult {
  accepted: number;
  duplicates: number;
  rejected: RejectedItem[];
}

export interface IngestContext {
  apiKeyId: string | null;
  channel: "api" | "csv";
  /**
   * When each item arrived (same order as the items), for history replayed inside the server
   * process (lib/server/demo-history.ts). No request handler sets it: a client cannot claim
   * when its events arrived, so the event lag it is measured by stays honest.
   */
  receivedAt?: readonly Date[];
}

const identity = (source: string, id: string) => `${source}\u0000${id}`;

/**
 * Validates every item on its own, stores the valid ones exactly once by (source, id) and
 * keeps the invalid ones with their reasons — all in one transaction, so an answer is only
 * given for work that is committed, and a failure leaves nothing half-written.
 */
export async function ingestItems(
  db: Db,
  items: readonly unknown[],
  context: IngestContext,
): Promise<IngestResult> {
  const rejected: RejectedItem[] = [];
  const rejectedRows: RejectedRow[] = [];
  const fresh = new Map<string, { event: ValidEvent; index: number }>();
  let duplicatesInBatch = 0;

  items.forEach((item, index) => {
    const result = validateCloudEvent(item);
    if (!result.ok) {
      rejected.push({ index, id: result.id, errors: result.errors });
      // Whatever was sent is kept, in a form PostgreSQL takes (see lib/contract/storable.ts).
      rejectedRows.push({
        batchIndex: index,
        source: result.source && storableText(result.source),
        eventId: result.id && storableText(result.id),
        type: result.type && storableText(result.type),
        payload: toStorable(item ?? null),
        errors: result.errors.map(storableText),
      });
      return;
    }
    const key = identity(result.event.source, result.event.id);
    if (fresh.has(key)) duplicatesInBatch++;
    else fresh.set(key, { event: result.event, index });
  });

  const receivedAt = (index: number) => context.receivedAt?.[index]?.toISOString();
  const rows: EventRow[] = [...fresh.values()].map(({ event: e, index }) => ({
    source: e.source,
    eventId: e.id,
    type: e.type,
    time: e.time,
    subject: e.subject,
    data: e.data,
    attributes: e.attributes,
    receivedAt: receivedAt(index),
  }));

  // Detection judges deadlines (grace periods, severity by age) at the moment of receipt: the
  // latest item's, when the batch is replayed history.
  const now = context.receivedAt?.length
    ? new Date(Math.max(...context.receivedAt.map((d) => d.getTime())))
    : new Date();
  const inserted = await db.transaction(async (tx) => {
    const insertedRows = await insertEvents(tx, rows, context.apiKeyId);
    await insertRejected(tx, rejectedRows, context.apiKeyId, context.channel);
    // Exceptions follow from what was new; a duplicate changes nothing, so it raises nothing.
    const stored = insertedRows.map((r) => fresh.get(identity(r.source, r.event_id))!.event);
    await detectFromEvents(tx, stored, now);
    await detectFromRejections(tx, rejectedRows, now);
    return insertedRows.length;
  });
  // New telemetry may break or mend an alert rule; the evaluation follows, debounced.
  if (inserted > 0 || rejectedRows.length > 0) requestAlertEvaluation();

  return {
    accepted: inserted,
    duplicates: rows.length - inserted + duplicatesInBatch,
    rejected,
  };
}

/** Keeps a body that could not be read as events at all, so nothing sent is silently lost. */
export async function recordUnreadableBody(
  db: Db,
  body: string,
  reason: string,
  context: IngestContext,
): Promise<void> {
  await insertRejected(
    db,
    [
      {
        batchIndex: null,
        source: null,
        eventId: null,
        type: null,
        payload: { raw: storableText(body) },
        errors: [storableText(reason)],
      },
    ],
    context.apiKeyId,
    context.channel,
  );
}
