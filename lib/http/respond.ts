import {
  AppError,
  InvalidInput,
  RateLimited,
  ServiceUnavailable,
  isTransientDatabaseError,
  isUnstorableTextError,
} from "@/lib/errors";

export function json(body: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set("content-type", "application/json; charset=utf-8");
  headers.set("cache-control", "no-store");
  return new Response(JSON.stringify(body), { ...init, headers });
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

/** Wraps a route handler so every thrown error goes through errorResponse. */
export function handle<A extends unknown[]>(fn: (...args: A) => Promise<Response>) {
  return async (...args: A): Promise<Response> => {
    try {
      return await fn(...args);
    } catch (error) {
      return errorResponse(error);
    }
  };
}
