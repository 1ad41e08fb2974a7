import { Simulation } from "./index";
import type { SimEvent } from "./events";
import { MAX_BATCH, postBatch, sleep, type BatchResult } from "./sender";
import { DAY, MINUTE, SECOND } from "./time";

/*
 * The simulator as a process: a backfill of the last N days, then (optionally) a live feed
 * that every few seconds sends the events whose delivery time has come. A live range that
 * cannot be delivered is retried on the next tick, so an outage of the server delays the
 * feed without losing any of it.
 */

export interface RunnerOptions {
  url: string;
  key: string;
  seed: number;
  backfillDays: number;
  live: boolean;
  /** Live tick. */
  intervalMs: number;
  /** Upper bound on events per second sent (backfill and live); unlimited when unset. */
  rate?: number;
  customers?: number;
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** Called once the backfill is delivered, before the live feed starts. */
  onBackfilled?: (summary: BackfillSummary) => void;
  now?: () => number;
  /**
   * Where history ends and the live feed starts (default: now), and where history starts
   * (default: backfillDays before that).
   */
  startedAt?: number;
  since?: number;
  /**
   * False when the server replays the history itself with its original receipt times
   * (npm start: lib/server/demo-history.ts); only the live feed is sent then. Through the
   * API every backfilled event counts as received now.
   */
  sendBackfill?: boolean;
}

export interface Totals {
  sent: number;
  accepted: number;
  duplicates: number;
  rejected: number;
}

export interface BackfillSummary extends Totals {
  durationMs: number;
}

export async function runSimulator(options: RunnerOptions): Promise<BackfillSummary> {
  const log = options.log ?? ((line: string) => console.log(line));
  const now = options.now ?? Date.now;
  const signal = options.signal;
  const startedAt = options.startedAt ?? now();
  // Whole minutes, so two runs started in the same minute cover exactly the same history.
  const since =
    options.since ?? Math.floor((startedAt - options.backfillDays * DAY) / MINUTE) * MINUTE;
  const simulation = new Simulation({ seed: options.seed, since, customers: options.customers });
  const send = (events: readonly SimEvent[], onBatch?: (t: Totals) => void) =>
    sendAll(events, options, onBatch);

  // --- Backfill ---
  const backfill = options.sendBackfill === false ? [] : simulation.eventsBetween(since, startedAt);
  log(
    options.sendBackfill === false
      ? `[simulator] seed ${options.seed}: the server replays the history; live events → ${options.url}`
      : `[simulator] seed ${options.seed}: backfilling ${options.backfillDays} day${options.backfillDays === 1 ? "" : "s"}, ${fmt(backfill.length)} events → ${options.url}`,
  );
  let lastLine = now();
  const totals = await send(backfill, (t) => {
    if (now() - lastLine < 3 * SECOND || t.sent === backfill.length) return;
    lastLine = now();
    log(
      `[simulator] backfill ${fmt(t.sent)}/${fmt(backfill.length)} events, ${seconds(now() - startedAt)}`,
    );
  });
  const summary = { ...totals, durationMs: now() - startedAt };
  if (signal?.aborted) return summary;
  // When the server replays the history itself there was nothing to send, and nothing to report.
  if (backfill.length > 0) {
    log(
      `[simulator] backfill done: ${fmt(totals.sent)} events in ${seconds(summary.durationMs)} ` +
        `(${fmt(totals.accepted)} new, ${fmt(totals.duplicates)} duplicates, ${fmt(totals.rejected)} rejected)`,
    );
  }
  options.onBackfilled?.(summary);
  if (!options.live) return summary;

  // --- Live ---
  log(`[simulator] live: sending new events every ${seconds(options.intervalMs)}`);
  let cursor = startedAt;
  while (!signal?.aborted) {
    await sleep(options.intervalMs, signal);
    if (signal?.aborted) break;
    const until = now();
    const due = simulation.eventsBetween(cursor, until);
    try {
      const result = await send(due);
      cursor = until;
      if (due.length > 0) {
        log(
          `[simulator] live ${new Date(until).toISOString().slice(11, 19)}Z +${due.length} (${describe(due)})` +
            (result.rejected > 0 ? `, ${result.rejected} rejected` : ""),
        );
      }
    } catch (error) {
      if (signal?.aborted) break;
      log(
        `[simulator] live: could not deliver ${due.length} events, will retry: ${(error as Error).message}`,
      );
    }
  }
  return summary;
}

async function sendAll(
  events: readonly SimEvent[],
  options: RunnerOptions,
  onBatch?: (totals: Totals) => void,
): Promise<Totals> {
  const totals: Totals = { sent: 0, accepted: 0, duplicates: 0, rejected: 0 };
  const log = options.log ?? console.log;
  const started = Date.now();
  for (let i = 0; i < events.length && !options.signal?.aborted; i += MAX_BATCH) {
    const batch = events.slice(i, i + MAX_BATCH).map((e) => e.event);
    const result: BatchResult = await postBatch(batch, {
      url: options.url,
      key: options.key,
      signal: options.signal,
      onRetry: (reason, attempt, delayMs) =>
        log(`[simulator] ${reason}; retry ${attempt} in ${seconds(delayMs)}`),
    });
    if (options.signal?.aborted) break;
    totals.sent += batch.length;
    totals.accepted += result.accepted;
    totals.duplicates += result.duplicates;
    totals.rejected += result.rejected.length;
    for (const r of result.rejected.slice(0, 3)) {
      log(`[simulator] rejected ${r.id ?? `#${r.index}`}: ${r.errors.join("; ")}`);
    }
    onBatch?.(totals);
    if (options.rate) {
      const minimumMs = (totals.sent / options.rate) * 1000;
      const elapsed = Date.now() - started;
      if (elapsed < minimumMs) await sleep(minimumMs - elapsed, options.signal);
    }
  }
  return totals;
}

function describe(events: readonly SimEvent[]): string {
  const counts = new Map<string, number>();
  for (const e of events) counts.set(e.event.type, (counts.get(e.event.type) ?? 0) + 1);
  return [...counts].map(([type, n]) => `${type} ×${n}`).join(", ");
}

const fmt = (n: number) => n.toLocaleString("en-US");
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
