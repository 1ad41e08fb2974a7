import type { DeliveryOutcome } from "@/db/queries/outbox";
import type { OutgoingRequest } from "@/lib/alerts/render";

/*
 * One POST of an outbox delivery: the receiver configured must answer itself (no redirect
 * followed), within the timeout, and every attempt reaches it (no data cache).
 */

export interface PostSettings {
  fetch: typeof fetch;
  timeoutMs: number;
}

export interface PostResult {
  outcome: DeliveryOutcome;
  /** The answer's body, read when asked for (a Web API's answer); else "". */
  body: string;
}

/**
 * POSTs the request. A failure's body is kept in the outcome's error (the receiver's reason,
 * cut short); a success's body is read only with `readBody`, otherwise released unread.
 */
export async function postRequest(
  request: OutgoingRequest,
  settings: PostSettings,
  readBody = false,
): Promise<PostResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const response = await settings.fetch(request.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "Closeline-Outbox/1",
        ...request.headers,
      },
      body: request.body,
      // A redirect is not an answer from the receiver configured; it counts as a failure.
      redirect: "manual",
      // Next.js patches fetch with a data cache; a command must always reach the receiver.
      cache: "no-store",
      signal: AbortSignal.timeout(settings.timeoutMs),
    });
    const ok = response.status >= 200 && response.status < 300;
    const body = ok && readBody ? await response.text() : "";
    const text = ok ? "" : await readSome(response);
    if (ok && !readBody) await response.body?.cancel().catch(() => {});
    return {
      outcome: {
        httpStatus: response.status,
        error: ok ? null : `HTTP ${response.status}${text ? `: ${text}` : ""}`,
        durationMs: elapsed(),
      },
      body,
    };
  } catch (error) {
    return {
      outcome: {
        httpStatus: null,
        error: describeFetchError(error, settings.timeoutMs),
        durationMs: elapsed(),
      },
      body: "",
    };
  }
}

async function readSome(response: Response): Promise<string> {
  try {
    return (await response.text()).slice(0, 300).replace(/\s+/g, " ").trim();
  } catch {
    return "";
  }
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  const e = error as {
    name?: string;
    message?: string;
    cause?: { code?: string; message?: string };
  };
  if (e?.name === "TimeoutError" || e?.name === "AbortError")
    return `timeout: no answer within ${timeoutMs / 1000} s`;
  const cause = e?.cause?.code ?? e?.cause?.message;
  return `${e?.message ?? String(error)}${cause ? ` (${cause})` : ""}`.slice(0, 500);
}
