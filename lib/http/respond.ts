import {
  AppError,
  InvalidInput,
  RateLimited,
  ServiceUnavailable,
  isTransientDatabaseError,
  isUnstorableTextError,
} from "@/lib/errors";
import { noteApiWrite } from "@/lib/server/read-routing";

/** Below this many characters an answer is sent as it is (compression's own threshold, 1 KB). */
const COMPRESS_FROM = 1024;

export function json(body: unknown, init: ResponseInit = {}): Response {
  const text = JSON.stringify(body);
  const headers = new Headers(init.headers);
  headers.set("content-type", "application/json; charset=utf-8");
  // `next start` gzips every answer whose length it does not see (it drops Content-Length),
  // an ingestion answer of 50 bytes included: a gzip stream per request for nothing saved.
  headers.set("cache-control", text.length < COMPRESS_FROM ? "no-store, no-transform" : "no-store");
  return new Response(text, { ...init, headers });
}

/** The one place an error becomes an HTTP answer. Unknown errors never leak their message. */
export function errorResponse(error: unknown): Response {
  if (!(error instanceof AppError) && isTransientDatabaseError(error)) {
    error = new ServiceUnavailable();
  } else if (!(error instanceof AppError) && isUnstorableTextError(error)) {
    error = new InvalidInput(
      "The request holds a U+0000 character, which no text here can contain",
    );
  }
  if (error instanceof AppError) {
    const headers: Record<string, string> = {};
    if (error instanceof RateLimited || error instanceof ServiceUnavailable) {
      headers["retry-after"] = String(error.retryAfterSeconds);
    }
    if (error.status === 401) headers["www-authenticate"] = 'Bearer realm="closeline"';
    return json(
      {
        error: {
          code: error.code,
          message: error.message,
          ...(error.details ? { details: error.details } : {}),
        },
      },
      { status: error.status, headers },
    );
  }
  console.error("Unhandled error in request", error);
  return json({ error: { code: "internal", message: "Internal error" } }, { status: 500 });
}

/**
 * Wraps a route handler so every thrown error goes through errorResponse. A write that
 * succeeded also marks its caller's next reads as needing it (lib/server/read-routing.ts).
 */
export function handle<A extends unknown[]>(fn: (...args: A) => Promise<Response>) {
  return async (...args: A): Promise<Response> => {
    let response: Response;
    try {
      response = await fn(...args);
    } catch (error) {
      return errorResponse(error);
    }
    const request = args.find((arg): arg is Request => arg instanceof Request);
    if (request) {
      // The write is done and answered either way; a caller left unmarked only risks reading
      // a replica that lags behind it, for at most DATABASE_REPLICA_MAX_LAG_SECONDS.
      await noteApiWrite(request, response).catch((error: unknown) =>
        console.error("Remembering a write for read-your-writes failed", error),
      );
    }
    return response;
  };
}
