import type { CloudEvent } from "@/lib/simulator";

/*
 * The sending side of the process-level fault tests: a client of POST /api/v1/events that
 * records exactly what came back, so a test can tell an acknowledgement from a refusal, an
 * outage answer or a dropped connection.
 */

export type Answer =
  | { kind: "response"; status: number; retryAfter: string | null; body: string }
  | { kind: "network"; error: string };

export interface IngestAnswer {
  accepted: number;
  duplicates: number;
  rejected: unknown[];
}

/** A request cut off by a killed server fails fast; one left hanging would be a finding. */
const REQUEST_TIMEOUT_MS = 60_000;

export async function postBatch(
  baseUrl: string,
  apiKey: string,
  batch: readonly CloudEvent[],
): Promise<Answer> {
  try {
    const response = await fetch(`${baseUrl}/api/v1/events`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${apiKey}`,
        "content-type": "application/cloudevents-batch+json",
      },
      body: JSON.stringify(batch),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    return {
      kind: "response",
      status: response.status,
      retryAfter: response.headers.get("retry-after"),
      body: await response.text(),
    };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { kind: "network", error: cause?.code ?? cause?.message ?? String(error) };
  }
}

/** The (source, id) of an event, as tests/faults/support/outcome.ts storedEventKeys spells it. */
export const eventKey = (e: CloudEvent) => `${e.source}|${e.id}`;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
