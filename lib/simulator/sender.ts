import type { CloudEvent } from "./events";

/*
 * Posts simulated events through the public ingestion API, like any other producer: batches
 * of at most 1,000 events, retried with backoff when the server is unreachable, overloaded
 * (429) or failing (5xx). Any other refusal is a configuration problem and is not retried.
 */

export const MAX_BATCH = 1000;

export interface BatchResult {
  accepted: number;
  duplicates: number;
  rejected: { index: number; id: string | null; errors: string[] }[];
}

export class IngestRefused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "IngestRefused";
  }
}

export interface SenderOptions {
  url: string;
  key: string;
  signal?: AbortSignal;
  /** Attempts per batch before giving up (each waits up to 30 s). */
  maxAttempts?: number;
  onRetry?: (reason: string, attempt: number, delayMs: number) => void;
}

const REQUEST_TIMEOUT_MS = 120_000;

export async function postBatch(
  events: readonly CloudEvent[],
  options: SenderOptions,
): Promise<BatchResult> {
  if (events.length === 0) return { accepted: 0, duplicates: 0, rejected: [] };
  if (events.length > MAX_BATCH) throw new Error(`a batch holds at most ${MAX_BATCH} events`);
  const endpoint = new URL("/api/v1/events", options.url);
  const body = JSON.stringify(events);
  const maxAttempts = options.maxAttempts ?? 10;
  for (let attempt = 1; ; attempt++) {
    let retryReason: string;
    let retryAfterMs: number | null = null;
    try {
      const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
      const response = await fetch(endpoint, {
        method: "POST",
        headers: {
          "content-type": "application/cloudevents-batch+json",
          authorization: `Bearer ${options.key}`,
        },
        body,
        signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
      });
      if (response.ok) return (await response.json()) as BatchResult;
      const text = await response.text().catch(() => "");
      if (response.status !== 429 && response.status < 500) {
        throw new IngestRefused(response.status, `HTTP ${response.status}: ${text.slice(0, 500)}`);
      }
      retryReason = `HTTP ${response.status}`;
      const retryAfter = Number(response.headers.get("retry-after"));
      if (Number.isFinite(retryAfter) && retryAfter > 0) retryAfterMs = retryAfter * 1000;
    } catch (error) {
      if (error instanceof IngestRefused || options.signal?.aborted) throw error;
      retryReason = (error as Error).cause
        ? String(((error as Error).cause as Error).message ?? (error as Error).cause)
        : (error as Error).message;
    }
    if (attempt >= maxAttempts) {
      throw new Error(`giving up after ${attempt} attempts: ${retryReason}`);
    }
    // Exponential backoff with jitter, so several producers do not retry in lockstep.
    const delayMs =
      retryAfterMs ?? Math.min(30_000, 500 * 2 ** (attempt - 1)) * (0.8 + 0.4 * Math.random());
    options.onRetry?.(retryReason, attempt, delayMs);
    await sleep(delayMs, options.signal);
  }
}

/** Resolves after `ms`, or at once (without throwing) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}
