import { AppError, StaleVersion, isTransientDatabaseError } from "@/lib/errors";
import { markActionWrite } from "@/lib/server/read-routing";

/**
 * Why an action failed, for the UI to branch on (never on the message, which is for people):
 * the API's error codes (`{"error":{"code"}}`, lib/errors.ts), plus `stale` for an item that
 * changed since the form was loaded (reload and try again).
 */
export type ActionErrorCode =
  | "invalid_input"
  | "unauthenticated"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "stale"
  | "precondition_failed"
  | "unprocessable"
  | "payload_too_large"
  | "unsupported_media_type"
  | "rate_limited"
  | "unavailable"
  | "internal";

/** What a server action returns to its form: data on success, a message to show on failure. */
export type ActionResult<T = undefined> = { ok: true; data: T } | ActionFailure;

export type ActionFailure = { ok: false; code: ActionErrorCode; error: string };

const APP_ERROR_CODES: ReadonlySet<string> = new Set<ActionErrorCode>([
  "invalid_input",
  "unauthenticated",
  "forbidden",
  "not_found",
  "conflict",
  "precondition_failed",
  "unprocessable",
  "payload_too_large",
  "unsupported_media_type",
  "rate_limited",
  "unavailable",
]);

function isActionErrorCode(code: string): code is ActionErrorCode {
  return APP_ERROR_CODES.has(code);
}

function codeOf(error: AppError): ActionErrorCode {
  if (error instanceof StaleVersion) return "stale";
  return isActionErrorCode(error.code) ? error.code : "internal";
}

/**
 * Runs an action body and maps errors the way lib/http/respond.ts maps them for the API:
 * domain errors keep their message, anything unknown is logged and shown generically.
 */
export async function runAction<T>(fn: () => Promise<T>): Promise<ActionResult<T>> {
  try {
    const data = await fn();
    // The page after an action must show it, even when replicas serve the reads.
    await markActionWrite().catch((error: unknown) =>
      console.error("Remembering a write for read-your-writes failed", error),
    );
    return { ok: true, data };
  } catch (error) {
    if (error instanceof AppError) return { ok: false, code: codeOf(error), error: error.message };
    if (isTransientDatabaseError(error))
      return {
        ok: false,
        code: "unavailable",
        error: "The database is unavailable; try again shortly.",
      };
    console.error("Unhandled error in server action", error);
    return { ok: false, code: "internal", error: "Something went wrong; nothing was changed." };
  }
}
