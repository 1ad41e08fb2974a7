/**
 * The errors the domain raises on purpose. Anything else that reaches a route is a bug or an
 * outage and is answered without its message (see lib/http/respond.ts).
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class InvalidInput extends AppError {
  constructor(message: string, details?: unknown) {
    super(400, "invalid_input", message, details);
  }
}

export class Unauthenticated extends AppError {
  constructor(message = "Authentication required") {
    super(401, "unauthenticated", message);
  }
}

export class Forbidden extends AppError {
  constructor(message = "You are not allowed to do this") {
    super(403, "forbidden", message);
  }
}

export class NotFound extends AppError {
  constructor(message = "Not found") {
    super(404, "not_found", message);
  }
}

export class Conflict extends AppError {
  constructor(message: string, details?: unknown) {
    super(409, "conflict", message, details);
  }
}

/**
 * The item is not at the version the caller named: a 409 to the UI (reload and try again),
 * which the API answers as 412 when the caller named the version in If-Match.
 */
export class StaleVersion extends Conflict {
  constructor(
    message: string,
    readonly currentVersion: number,
  ) {
    super(message, { currentVersion });
  }
}

/** An If-Match named a version the item has left behind: someone changed it since. */
export class PreconditionFailed extends AppError {
  constructor(message: string, details?: unknown) {
    super(412, "precondition_failed", message, details);
  }
}

/** Well-formed but unusable: an Idempotency-Key reused with a different request. */
export class Unprocessable extends AppError {
  constructor(message: string, details?: unknown) {
    super(422, "unprocessable", message, details);
  }
}

export class PayloadTooLarge extends AppError {
  constructor(message: string) {
    super(413, "payload_too_large", message);
  }
}

export class UnsupportedMediaType extends AppError {
  constructor(message: string) {
    super(415, "unsupported_media_type", message);
  }
}

export class RateLimited extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(429, "rate_limited", message);
  }
}

export class ServiceUnavailable extends AppError {
  constructor(
    message = "The database is unavailable; retry shortly",
    readonly retryAfterSeconds = 2,
  ) {
    super(503, "unavailable", message);
  }
}

/** SQLSTATE classes and driver codes that mean "try again", not "your request is wrong". */
const TRANSIENT_SQLSTATE = /^(08|53|57P0|40001|40P01)/;
const TRANSIENT_DRIVER_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
]);

export function isTransientDatabaseError(error: unknown): boolean {
  return hasCode(
    error,
    (code) => TRANSIENT_DRIVER_CODES.has(code) || TRANSIENT_SQLSTATE.test(code),
  );
}

/**
 * SQLSTATE 22021 (character_not_in_repertoire) and 22P05 (untranslatable_character): a text
 * parameter held U+0000, which PostgreSQL cannot take (a filter "?entity=%00", say). Only
 * input can carry it, and no stored text holds it, so the request is wrong, not the server.
 */
export function isUnstorableTextError(error: unknown): boolean {
  return hasCode(error, (code) => code === "22021" || code === "22P05");
}

/**
 * SQLSTATE 40P01: PostgreSQL broke a cycle of lock waits by aborting this transaction. Nothing
 * of the transaction is kept, so running it again is safe, and usually succeeds at once.
 */
export function isDeadlock(error: unknown): boolean {
  return hasCode(error, (code) => code === "40P01");
}

/**
 * An error some input can cause, and so one item of a batch can: SQLSTATE class 21
 * (cardinality violation), 22 (data exception: a value out of range), 23 (integrity
 * constraint violation) and P0 (raised by a trigger or function). Anything else (a missing
 * column, a lost connection, a bug) says nothing about the items and fails them all alike.
 */
export function isDataError(error: unknown): boolean {
  return hasCode(error, (code) => /^(21|22|23|P0)[0-9A-Z]{3}$/.test(code));
}

/** Whether the error or one of its causes (drizzle wraps the driver's) has a matching code. */
function hasCode(error: unknown, matches: (code: string) => boolean): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && matches(code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
