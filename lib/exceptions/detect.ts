import type { Db } from "@/db/client";
import { lockDetection, tryLockSweep } from "@/db/queries/detection";
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

/** Distinct by value: a batch often holds several events about one key. */
function unique<T>(items: readonly T[]): T[] {
  return [...new Map(items.map((item) => [JSON.stringify(item), item])).values()];
}

/**
 * Raises and closes the exceptions that the newly stored events bear on. Runs inside the
 * ingestion transaction so the events and the exceptions they imply commit together.
 */
export async function detectFromEvents(
  db: Db,
  events: readonly ValidEvent[],
  now: Date,
  settings = DEFAULT_DETECTION,
) {
  if (events.length === 0) return;
  // Detection reads what other batches stored. Two concurrent batches (a payment in one, its
  // entitlement in the other) would each miss the other's uncommitted rows under READ
  // COMMITTED and leave a stale exception open (tests/faults). So batches detect
  // one at a time, until commit; the statements after the lock see every earlier batch.
  await lockDetection(db);
  // A rate converts again the amounts at risk of its currency from its day on (the
  // exceptions raised below are converted as they are written).
  const rates = unique(
    events
      .filter((e) => e.type === "fx.rate")
      .map((e) => ({
        currency: String(e.data.currency),
        reportingCurrency: String(e.data.reportingCurrency),
        from: String(e.data.effectiveDate),
      })),
  );
  if (rates.length) await reconvertExceptions(db, rates);
  // An invoice may arrive after its postings or disputes: their exceptions take its amount then.
  const invoices = collect(events, "invoice.issued", (d) => str(d.invoiceId));
  const postings = new Set(collect(events, "erp.posting.attempted", (d) => str(d.postingId)));
  if (invoices.length) for (const p of await postingsOfInvoices(db, invoices)) postings.add(p);
  if (postings.size) await syncPostingExceptions(db, [...postings], now);

  const disputed = [
    ...new Set([...collect(events, "invoice.disputed", (d) => str(d.invoiceId)), ...invoices]),
  ];
  if (disputed.length) await syncDisputeExceptions(db, disputed, now);

  const runKeys = unique(
    events
      .filter((e) => e.type === "reconciliation.result")
      .map((e) => ({ runId: String(e.data.runId), key: String(e.data.key) })),
  );
  if (runKeys.length) await syncReconciliationExceptions(db, runKeys, now);

  const contracts = collect(events, "contract.amended", (d) => str(d.contractId));
  if (contracts.length) await syncAmendmentExceptions(db, contracts, now);

  const corrections = collect(events, "correction.executed", (d) => str(d.correctionId));
  if (corrections.length) await syncCorrectionExecutions(db, corrections, now);

  const payments = [
    ...collect(events, "payment.received", (d) => str(d.paymentId)),
    ...collect(events, "entitlement.updated", (d) => str(d.paymentId)),
  ];
  if (payments.length)
    await syncEntitlementExceptions(db, payments, now, settings.entitlementAfterMs);

  const checkpoints = unique(
    events
      .filter((e) => e.type === "usage.checkpoint")
      .map((e) => ({
        source: e.source,
        entity: String(e.data.entity),
        meter: String(e.data.meter),
        // Windows are instants: "12:00:00+02:00" and "10:00:00Z" are one window, and the
        // lookup below would find its checkpoint twice if both spellings were kept.
        windowStart: new Date(String(e.data.windowStart)).toISOString(),
        windowEnd: new Date(String(e.data.windowEnd)).toISOString(),
      })),
  );
  if (checkpoints.length) {
    await syncUsageExceptions(db, checkpoints, now, {
      graceMs: settings.usageGraceMs,
      targetRatio: settings.usageTargetRatio,
    });
  }
  // Only these detectors raise exceptions that form incidents; a batch of payments alone
  // leaves nothing to assign.
  if (postings.size || runKeys.length || checkpoints.length) await assignIncidents(db);
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
 * detection lock, as a batch does: a pass that raised without it could commit after a batch
 * that resolved the problem and, not seeing the uncommitted exception, left it open. So
 * batches wait out a full pass (61 s at 50.6 M rows, bench/README.md), which a database needs
 * once, or again only when a clock steps back: the price of exceptions that agree with the
 * telemetry.
 */
export async function sweepExceptions(
  db: Db,
  now: Date,
  settings = DEFAULT_DETECTION,
): Promise<boolean> {
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
