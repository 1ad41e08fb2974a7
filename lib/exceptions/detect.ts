import type { Db } from "@/db/client";
import {
  lockDetection,
  queueDetection,
  takeQueuedDetections,
  tryLockSweep,
} from "@/db/queries/detection";
import { reconvertExceptions } from "@/db/queries/fx";
import {
  recordRejectionGroups,
  refreshSeverities,
  syncAmendmentExceptions,
  syncCorrectionExecutions,
  syncDisputeExceptions,
  syncEntitlementExceptions,
  syncPostingExceptions,
  syncReconciliationExceptions,
  syncUsageExceptions,
  postingsOfInvoices,
  type JudgedCheckpoint,
  type JudgedPayment,
  type RejectionGroup,
} from "@/db/queries/exception-sync";
import { readSetting, writeSetting } from "@/db/queries/settings";
import type { ValidEvent } from "@/lib/contract";
import { assignIncidents } from "./incidents";

/** How long before a missing entitlement update or an incomplete usage window becomes an exception. */
export interface DetectionSettings {
  entitlementAfterMs: number;
  usageGraceMs: number;
  usageTargetRatio: number;
}

export const DEFAULT_DETECTION: DetectionSettings = {
  entitlementAfterMs: 60 * 60 * 1000,
  usageGraceMs: 60 * 60 * 1000,
  // The same default as the completeness target on the overview.
  usageTargetRatio: 0.995,
};

const str = (v: unknown) => (typeof v === "string" ? v : null);

function collect(
  events: readonly ValidEvent[],
  type: string,
  key: (data: Record<string, unknown>) => string | null,
) {
  const keys = new Set<string>();
  for (const e of events) {
    if (e.type !== type) continue;
    const k = key(e.data);
    if (k) keys.add(k);
  }
  return [...keys];
}

/**
 * Distinct by value: a batch often holds several events about one key. The key is the
 * values joined by NUL, which no valid event holds (lib/contract/storable.ts): serialising
 * every item to JSON cost the server about 3 % of its CPU per ingested event.
 */
function unique<T extends Record<string, string>>(items: readonly T[]): T[] {
  return [...new Map(items.map((item) => [Object.values(item).join("\u0000"), item])).values()];
}

/** A UTC instant to the millisecond ("…T10:00:00Z", "…T10:00:00.5Z"), its fraction apart. */
const UTC_INSTANT = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,3}))?Z$/;

/**
 * An instant of a valid event as toISOString writes it. A UTC one, as most arrive, is
 * rewritten as text: the contract has already checked its date and time
 * (lib/contract/primitives.ts, Timestamp: days of the month, seconds below 60, at most
 * three digits of fraction, "Z" upper case), so padding its fraction to three digits is what
 * toISOString gives, without a Date per window (the server wraps the Date constructor).
 */
function utcInstant(instant: string): string {
  const utc = UTC_INSTANT.exec(instant);
  if (!utc) return new Date(instant).toISOString();
  return `${utc[1]}.${(utc[2] ?? "").padEnd(3, "0")}Z`;
}

/**
 * What a batch's detection looks at: the business keys its new events bear on. Plain JSON,
 * because it waits in the detection queue between the batch's commit and its detection.
 */
export interface DetectionScope {
  invoices: string[];
  postings: string[];
  disputed: string[];
  runKeys: { runId: string; key: string }[];
  contracts: string[];
  corrections: string[];
  payments: string[];
  /** Exchange rates that arrived: each converts again its currency's amounts from its day on. */
  rates?: { currency: string; reportingCurrency: string; from: string }[];
  checkpoints: {
    source: string;
    entity: string;
    meter: string;
    windowStart: string;
    windowEnd: string;
  }[];
}

/** The keys the newly stored events bear on, or null when they bear on none. */
export function detectionScope(events: readonly ValidEvent[]): DetectionScope | null {
  if (events.length === 0) return null;
  const invoices = collect(events, "invoice.issued", (d) => str(d.invoiceId));
  return {
    invoices,
    postings: collect(events, "erp.posting.attempted", (d) => str(d.postingId)),
    disputed: [
      ...new Set([...collect(events, "invoice.disputed", (d) => str(d.invoiceId)), ...invoices]),
    ],
    runKeys: unique(
      events
        .filter((e) => e.type === "reconciliation.result")
        .map((e) => ({ runId: String(e.data.runId), key: String(e.data.key) })),
    ),
    contracts: collect(events, "contract.amended", (d) => str(d.contractId)),
    rates: unique(
      events
        .filter((e) => e.type === "fx.rate")
        .map((e) => ({
          currency: String(e.data.currency),
          reportingCurrency: String(e.data.reportingCurrency),
          from: String(e.data.effectiveDate),
        })),
    ),
    corrections: collect(events, "correction.executed", (d) => str(d.correctionId)),
    payments: [
      ...collect(events, "payment.received", (d) => str(d.paymentId)),
      ...collect(events, "entitlement.updated", (d) => str(d.paymentId)),
    ],
    checkpoints: unique(
      events
        .filter((e) => e.type === "usage.checkpoint")
        .map((e) => ({
          source: e.source,
          entity: String(e.data.entity),
          meter: String(e.data.meter),
          // Windows are instants: "12:00:00+02:00" and "10:00:00Z" are one window, and the
          // lookup below would find its checkpoint twice if both spellings were kept.
          windowStart: utcInstant(String(e.data.windowStart)),
          windowEnd: utcInstant(String(e.data.windowEnd)),
        })),
    ),
  };
}

/**
 * The scopes of several queued batches as one: every key once. A payment or usage window
 * that only an earlier batch than the latest bore on keeps that batch's receipt
 * (`detectAt`), its deadline's judge (see drainDetection); the others are judged at `now`.
 */
export interface MergedScope extends Omit<DetectionScope, "payments" | "checkpoints"> {
  payments: JudgedPayment[];
  checkpoints: JudgedCheckpoint[];
}

/**
 * Per key, the item with the latest receipt; one received at `now` leaves its `detectAt`
 * out, so a drain of one batch sends its keys as they were queued.
 */
function latestByKey<T extends { detectAt?: string }>(
  items: Iterable<T>,
  key: (item: T) => string,
  now: Date,
): T[] {
  const at = (item: T) => (item.detectAt === undefined ? Infinity : Date.parse(item.detectAt));
  const latest = new Map<string, T>();
  for (const item of items) {
    const k = key(item);
    const seen = latest.get(k);
    if (!seen || at(item) > at(seen)) latest.set(k, item);
  }
  return [...latest.values()].map((item) =>
    item.detectAt === now.toISOString() ? { ...item, detectAt: undefined } : item,
  );
}

/**
 * The union of queued batches' scopes (oldest first) for one detection (drainDetection), and
 * its `now`: the latest of their receipts.
 */
export function mergeScopes(queued: readonly { detectAt: Date; scope: DetectionScope }[]): {
  now: Date;
  scope: MergedScope;
} {
  const now = new Date(Math.max(...queued.map((q) => q.detectAt.getTime())));
  const scopes = queued.map((q) => q.scope);
  const distinct = (values: string[]) => [...new Set(values)];
  const scope: MergedScope = {
    invoices: distinct(scopes.flatMap((s) => s.invoices)),
    postings: distinct(scopes.flatMap((s) => s.postings)),
    disputed: distinct(scopes.flatMap((s) => s.disputed)),
    runKeys: unique(scopes.flatMap((s) => s.runKeys)),
    contracts: distinct(scopes.flatMap((s) => s.contracts)),
    rates: unique(scopes.flatMap((s) => s.rates ?? [])),
    corrections: distinct(scopes.flatMap((s) => s.corrections)),
    payments: latestByKey(
      queued.flatMap(({ detectAt, scope }) =>
        scope.payments.map((paymentId) => ({ paymentId, detectAt: detectAt.toISOString() })),
      ),
      (p) => p.paymentId,
      now,
    ),
    checkpoints: latestByKey(
      queued.flatMap(({ detectAt, scope }) =>
        scope.checkpoints.map((c) => ({ ...c, detectAt: detectAt.toISOString() })),
      ),
      (c) => [c.source, c.entity, c.meter, c.windowStart, c.windowEnd].join("\u0000"),
      now,
    ),
  };
  return { now, scope };
}

/**
 * How far apart batches' receipts may be for their detection to be merged: concurrent
 * requests are received within moments of each other; history replayed with its own receipt
 * times (lib/server/demo-history.ts) is not, and each of its batches keeps its own stamps.
 */
const MERGE_WITHIN_MS = 5_000;

/**
 * The queue (oldest first) cut into runs of consecutive batches received within
 * MERGE_WITHIN_MS of the run's first, each run detected as one.
 */
export function receivedTogether<T extends { detectAt: Date }>(queued: readonly T[]): T[][] {
  const runs: T[][] = [];
  for (const batch of queued) {
    const run = runs.at(-1);
    const first = run?.[0]?.detectAt.getTime();
    if (run && first !== undefined && Math.abs(batch.detectAt.getTime() - first) <= MERGE_WITHIN_MS)
      run.push(batch);
    else runs.push([batch]);
  }
  return runs;
}

/**
 * Raises and closes the exceptions that a scope bears on, stamped at `now`. Reads only
 * committed rows and what this transaction wrote: call under the detection lock, after the
 * batches have committed (drainDetection).
 */
export async function detectScope(
  db: Db,
  scope: MergedScope,
  now: Date,
  settings: DetectionSettings,
) {
  // A rate converts again the amounts at risk of its currency from its day on (the
  // exceptions raised below are converted as they are written).
  if (scope.rates?.length) await reconvertExceptions(db, scope.rates);
  // An invoice may arrive after its postings or disputes: their exceptions take its amount then.
  const postings = new Set(scope.postings);
  if (scope.invoices.length)
    for (const p of await postingsOfInvoices(db, scope.invoices)) postings.add(p);
  if (postings.size) await syncPostingExceptions(db, [...postings], now);
  if (scope.disputed.length) await syncDisputeExceptions(db, scope.disputed, now);
  if (scope.runKeys.length) await syncReconciliationExceptions(db, scope.runKeys, now);
  if (scope.contracts.length) await syncAmendmentExceptions(db, scope.contracts, now);
  if (scope.corrections.length) await syncCorrectionExecutions(db, scope.corrections, now);
  if (scope.payments.length)
    await syncEntitlementExceptions(db, scope.payments, now, settings.entitlementAfterMs);
  if (scope.checkpoints.length) {
    await syncUsageExceptions(db, scope.checkpoints, now, {
      graceMs: settings.usageGraceMs,
      targetRatio: settings.usageTargetRatio,
    });
  }
  // Only these detectors raise exceptions that form incidents; a batch of payments alone
  // leaves nothing to assign.
  if (postings.size || scope.runKeys.length || scope.checkpoints.length) await assignIncidents(db);
}

/**
 * Queues the detection of newly stored events; call in the transaction that stores them, so
 * the batch and the promise to detect it commit together (or not at all).
 */
export async function queueDetectionOf(db: Db, events: readonly ValidEvent[], now: Date) {
  const scope = detectionScope(events);
  if (scope) await queueDetection(db, scope, now);
}

/**
 * Carries out every queued detection, in one transaction that also deletes them: a detection
 * is carried out exactly once, and one that a killed process left queued is carried out by
 * the next drain. Call after the batch's transaction has committed, before answering it, so
 * its exceptions are there with its 200.
 *
 * Why this is as exact as detecting inside the batch's transaction under one lock: drains
 * run one at a time (the detection lock), and a batch's drain starts only after the batch
 * committed. Of two batches that bear on one key, the one whose detection runs later runs
 * after both committed, and every statement of it (READ COMMITTED: a snapshot per
 * statement) sees both batches' rows. So the last detection of every key sees everything
 * stored about it, as when each batch detected under the lock held to its commit; the
 * batches' inserts and rollup triggers no longer wait for one another's detection.
 *
 * Several queued batches received within moments of each other (concurrent requests that
 * committed while one drain ran; receivedTogether) are detected as one, over the union of
 * their keys: every detector's statements run once, not
 * once per batch. Each statement would have seen every one of them anyway, so what a key's
 * exception states (raised, closed, reopened, its details and amount) is what detecting the
 * batches one by one leaves. What the latest batch's later `now` could change:
 * - a deadline (a payment's hour without an entitlement, a usage window's grace) is judged
 *   per key at the receipt of the latest batch that bore on it, as one-by-one detection
 *   does, never at a later batch's: a payment received with one batch does not become due
 *   because another batch, about something else, arrived a moment later;
 * - the stamps (updated_at, closed_at, the audit entries, an exception's severity by age) take
 *   the latest receipt of the merged batches, moments after the others' (never before the
 *   telemetry that raised them);
 * - incidents are assigned once, to all the new exceptions in the order their problems
 *   occurred, as when those events arrive in one batch; one by one they were assigned batch
 *   by batch, in the order concurrent batches took their places in the queue.
 */
export async function drainDetection(db: Db, settings = DEFAULT_DETECTION): Promise<number> {
  return db.transaction(async (tx) => {
    await lockDetection(tx);
    const queued = (await takeQueuedDetections(tx)) as {
      detectAt: Date;
      scope: DetectionScope;
    }[];
    for (const run of receivedTogether(queued)) {
      const { now, scope } = mergeScopes(run);
      await detectScope(tx, scope, now, settings);
    }
    return queued.length;
  });
}

/** Groups a batch's rejected items by source and first reason, as the event_rejected queue shows them. */
export function rejectionGroups(
  rejected: readonly { source: string | null; eventId: string | null; errors: string[] }[],
): RejectionGroup[] {
  const groups = new Map<string, RejectionGroup>();
  for (const r of rejected) {
    const source = r.source ?? "(unknown source)";
    const reason = r.errors[0] ?? "(no reason)";
    const key = `${source}\u0000${reason}`;
    const group = groups.get(key) ?? { source, reason, count: 0, lastEventId: null };
    group.count++;
    group.lastEventId = r.eventId ?? group.lastEventId;
    groups.set(key, group);
  }
  return [...groups.values()];
}

export async function detectFromRejections(
  db: Db,
  rejected: readonly { source: string | null; eventId: string | null; errors: string[] }[],
  now: Date,
) {
  await recordRejectionGroups(db, rejectionGroups(rejected), now);
}

/** Where the sweep records the `now` it has swept up to (db/schema/settings.ts). */
const SWEEP_WATERMARK_KEY = "exception-sweep";
/**
 * How far before the last sweep the next one looks again: a batch whose `now` was taken
 * before a sweep's can commit after it (raising is idempotent, so looking twice is free).
 */
const SWEEP_OVERLAP_MS = 60 * 60 * 1000;

async function sweptThrough(db: Db): Promise<Date | null> {
  const value = (await readSetting(db, SWEEP_WATERMARK_KEY)) as { sweptThrough?: unknown } | null;
  const date = typeof value?.sweptThrough === "string" ? new Date(value.sweptThrough) : null;
  return date && !Number.isNaN(date.getTime()) ? date : null;
}

/**
 * The periodic pass for what time alone turns into a problem (a payment still without
 * entitlement, a usage window past its grace period) and for severity by age. Idempotent;
 * with several app instances the advisory lock lets one of them do it each time.
 *
 * Each pass looks only at the records whose deadline fell since the previous pass (less an
 * hour's overlap), through the time indexes; the first pass (or one whose clock is behind
 * the last) looks at everything and closes what no longer holds. Every pass holds the
 * detection lock, as a batch's detection does: a pass that raised without it could commit
 * after a batch's detection that resolved the problem and, not seeing the uncommitted
 * exception, left it open. So batches' detections wait out a full pass (61 s at 50.6 M rows,
 * bench/README.md), which a database needs once, or again only when a clock steps back: the
 * price of exceptions that agree with the telemetry. Their inserts do not wait.
 */
export async function sweepExceptions(
  db: Db,
  now: Date,
  settings = DEFAULT_DETECTION,
): Promise<boolean> {
  // A batch whose process died between its commit and its detection is detected here at the
  // latest, within a sweep interval (and at a server's start, when the sweeper first runs).
  await drainDetection(db, settings);
  return db.transaction(async (tx) => {
    if (!(await tryLockSweep(tx))) return false;
    const last = await sweptThrough(tx);
    const due =
      last && last <= now ? { since: new Date(last.getTime() - SWEEP_OVERLAP_MS) } : undefined;
    await lockDetection(tx);
    await syncEntitlementExceptions(tx, null, now, settings.entitlementAfterMs, due);
    await syncUsageExceptions(
      tx,
      null,
      now,
      { graceMs: settings.usageGraceMs, targetRatio: settings.usageTargetRatio },
      due,
    );
    await assignIncidents(tx);
    await refreshSeverities(tx, now);
    await writeSetting(tx, SWEEP_WATERMARK_KEY, { sweptThrough: now.toISOString() }, null);
    return true;
  });
}
