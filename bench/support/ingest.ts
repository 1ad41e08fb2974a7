import type { BenchEvent } from "./events";

/*
 * Telemetry sent the way an API client sends it: CloudEvents batches of BATCH_SIZE posted to
 * POST /api/v1/events by a few concurrent clients, every answer checked in full.
 */

export const BATCH_SIZE = 1_000;
/** A request taking longer than this means something is wrong: fail instead of hanging. */
export const REQUEST_TIMEOUT_MS = 120_000;

export function chunk<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/** The request bodies of `events`, BATCH_SIZE a batch, serialised before any clock starts. */
export function batchBodies(events: BenchEvent[]): string[] {
  return chunk(events, BATCH_SIZE).map((batch) => JSON.stringify(batch));
}

/** One POST of a CloudEvents batch, as a client of the ingestion API sends it. */
export function postEvents(baseUrl: string, key: string, body: string): Promise<Response> {
  return fetch(`${baseUrl}/api/v1/events`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${key}`,
      "content-type": "application/cloudevents-batch+json",
    },
    body,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
}

/**
 * Sends the batches in order, `clients` requests at a time, and checks each answer in full:
 * every batch must be accepted whole, nothing a duplicate or rejected. With `until` (a
 * Date.now() value) the clients take no new batch after it. Answers how many were sent.
 */
export async function postBatches(
  baseUrl: string,
  key: string,
  bodies: string[],
  clients: number,
  until = Number.POSITIVE_INFINITY,
): Promise<number> {
  let next = 0;
  const client = async () => {
    while (next < bodies.length && Date.now() < until) {
      const index = next++;
      const response = await postEvents(baseUrl, key, bodies[index]!).catch((error: unknown) => {
        throw new Error(
          (error as Error).name === "TimeoutError"
            ? `batch ${index}: no answer within ${REQUEST_TIMEOUT_MS / 1000} s`
            : `batch ${index}: ${String(error)}`,
        );
      });
      const text = await response.text();
      if (response.status !== 200) {
        throw new Error(`batch ${index}: HTTP ${response.status}: ${text.slice(0, 500)}`);
      }
      const result = JSON.parse(text) as {
        accepted: number;
        duplicates: number;
        rejected: unknown[];
      };
      if (
        result.accepted !== BATCH_SIZE ||
        result.duplicates !== 0 ||
        result.rejected.length !== 0
      ) {
        throw new Error(
          `batch ${index}: expected ${BATCH_SIZE} accepted, got ${text.slice(0, 500)}`,
        );
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  return next;
}
