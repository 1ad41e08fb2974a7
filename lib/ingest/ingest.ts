import { randomUUID } from "node:crypto";
import type { Db } from "@/db/client";
import { withPreparedStatements } from "@/db/rows";
import { insertEvents, insertRejected, type EventRow, type RejectedRow } from "@/db/queries/ingest";
import { validateCloudEvent, type ValidEvent } from "@/lib/contract";
import { storableText, toStorable } from "@/lib/contract/storable";
import { isDataError, isDeadlock } from "@/lib/errors";
import { detectFromRejections, drainDetection, queueDetectionOf } from "@/lib/exceptions/detect";
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

/** A valid item of the batch: where it was, what it says, and the row it is stored as. */
interface Stored {
  index: number;
  event: ValidEvent;
  row: EventRow;
}

interface Isolated {
  inserted: number;
  refused: { item: Stored; reference: string }[];
}

/**
 * Stores `items` with `store`, each call its own transaction; where a call fails, stores the
 * two halves apart, down to single items, so one refused item costs about 2·log2(n) more
 * transactions and every other item still lands. A single item that fails is refused and
 * logged under a reference the sender is given instead of the database's message. A half
 * that fails otherwise than for its data (isDataError) ends the whole request with that
 * error; what was stored until then stays, and the batch sent again finds it a duplicate.
 */
async function storeIsolating(
  items: readonly Stored[],
  store: (items: readonly Stored[]) => Promise<number>,
): Promise<Isolated> {
  if (items.length === 0) return { inserted: 0, refused: [] };
  try {
    return { inserted: await store(items), refused: [] };
  } catch (error) {
    if (!isDataError(error)) throw error;
    if (items.length === 1) {
      const reference = randomUUID();
      console.error(`Ingestion refused an item (reference ${reference})`, error);
      return { inserted: 0, refused: [{ item: items[0]!, reference }] };
    }
    const half = Math.ceil(items.length / 2);
    const first = await storeIsolating(items.slice(0, half), store);
    const second = await storeIsolating(items.slice(half), store);
    return {
      inserted: first.inserted + second.inserted,
      refused: [...first.refused, ...second.refused],
    };
  }
}

/** How many times a batch is stored before a deadlock fails the request. */
const DEADLOCK_ATTEMPTS = 4;

/**
 * Runs `transaction` again when PostgreSQL aborts it as a deadlock's victim. The summary
 * triggers lock their keys in sorted order within each trigger, but one statement fires a
 * trigger per projection table, so two batches can take two keys in opposite orders
 * (db/sql/functions/closeline_refresh_changed.sql). Nothing of the aborted transaction was
 * kept, and the batch stored again is exactly once by (source, id).
 */
async function retryingDeadlocks<T>(transaction: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction();
    } catch (error) {
      if (!isDeadlock(error) || attempt >= DEADLOCK_ATTEMPTS) throw error;
    }
  }
}

/** A validated event as the row that stores it, received at `receivedAt` (ISO 8601). */
export function eventRow(e: ValidEvent, receivedAt: string): EventRow {
  return {
    source: e.source,
    eventId: e.id,
    type: e.type,
    time: e.time,
    subject: e.subject,
    data: e.data,
    attributes: e.attributes,
    receivedAt,
  };
}

/**
 * Validates every item on its own, stores the valid ones exactly once by (source, id) and
 * keeps the invalid ones with their reasons — all in one transaction, so an answer is only
 * given for work that is committed, and a failure leaves nothing half-written. Should the
 * database refuse the batch for something in it, the items are stored apart (see
 * storeIsolating) and each one refused is answered as rejected with its index: no item can
 * lose the others.
 */
export async function ingestItems(
  database: Db,
  items: readonly unknown[],
  context: IngestContext,
): Promise<IngestResult> {
  // Every batch runs the same few statements: parsed once per connection, not per batch.
  const db = withPreparedStatements(database);
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

  // Detection judges deadlines (grace periods, severity by age) at the moment of receipt: the
  // latest item's, when the batch is replayed history. Items are stamped with that same
  // moment, so what detection raises never predates the telemetry that raised it.
  const now = context.receivedAt?.length
    ? new Date(Math.max(...context.receivedAt.map((d) => d.getTime())))
    : new Date();
  const receivedAt = (index: number) => (context.receivedAt?.[index] ?? now).toISOString();
  const valid: Stored[] = [...fresh.values()].map(({ event, index }) => ({
    index,
    event,
    row: eventRow(event, receivedAt(index)),
  }));

  const storeOnce = (items: readonly Stored[], rejections: readonly RejectedRow[]) =>
    db.transaction(async (tx) => {
      const insertedRows = await insertEvents(
        tx,
        items.map((item) => item.row),
        context.apiKeyId,
      );
      await insertRejected(tx, [...rejections], context.apiKeyId, context.channel, now);
      // Exceptions follow from what was new; a duplicate changes nothing, so it raises nothing.
      const byKey = new Map(
        items.map((item) => [identity(item.row.source, item.row.eventId), item]),
      );
      const stored = insertedRows.map((r) => byKey.get(identity(r.source, r.event_id))!.event);
      // Detection itself runs after the commit (drainDetection below): inside, it would hold
      // every other batch's commit back, since two batches must not detect at once.
      await queueDetectionOf(tx, stored, now);
      await detectFromRejections(tx, rejections, now);
      return insertedRows.length;
    });
  const store = (items: readonly Stored[], rejections: readonly RejectedRow[]) =>
    retryingDeadlocks(() => storeOnce(items, rejections));

  let inserted: number;
  let refused = 0;
  try {
    inserted = await store(valid, rejectedRows);
  } catch (error) {
    // The whole batch in one transaction is the rule; an error the database raised for what
    // some item holds (isDataError: a value out of range, a constraint, a trigger) must not
    // lose the others, so the valid items are stored again in halves until each refusal is
    // pinned to its own item, which is rejected with its index. Any other error (a lost
    // connection, a deadlock that outlasted its retries, a schema the code does not match) says nothing about the
    // items: rejecting them all would hide it, so it fails the request, to be sent again.
    if (!isDataError(error)) throw error;
    const isolated = await storeIsolating(valid, (items) => store(items, []));
    inserted = isolated.inserted;
    refused = isolated.refused.length;
    for (const { item, reference } of isolated.refused) {
      const errors = [
        `event: could not be stored (reference ${reference}); kept with the rejected events`,
      ];
      rejected.push({ index: item.index, id: item.event.id, errors });
      rejectedRows.push({
        batchIndex: item.index,
        source: storableText(item.event.source),
        eventId: storableText(item.event.id),
        type: storableText(item.event.type),
        payload: toStorable(items[item.index] ?? null),
        errors,
      });
    }
    rejected.sort((a, b) => a.index - b.index);
    await db.transaction(async (tx) => {
      await insertRejected(tx, rejectedRows, context.apiKeyId, context.channel, now);
      await detectFromRejections(tx, rejectedRows, now);
    });
  }
  // The answer waits for the batch's exceptions, so a client (or a page) that reads after
  // the 200 sees them. The drain also carries out what an earlier, killed request queued.
  await drainDetection(db);
  // New telemetry may break or mend an alert rule; the evaluation follows, debounced.
  if (inserted > 0 || rejectedRows.length > 0) requestAlertEvaluation();

  return {
    accepted: inserted,
    duplicates: valid.length - inserted - refused + duplicatesInBatch,
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
