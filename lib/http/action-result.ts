import { AppError, isTransientDatabaseError } from "@/lib/errors";

/** What a server action returns to its form: data on success, a message to show on failure. */
export type ActionResult<T = undefined> = { ok: true; data: T } | { ok: false; error: string };

/**
 * Runs an action body and maps errors the way lib/http/respond.ts maps them for the API:
 * domain errors keep their message, anything unknown is logged and shown generically.
 */
export async function runAction<T>(fn: () => Promise<T>): Promise<ActionResult<T>> {
  try {
    return { ok: true, data: await fn() };
  } catch (error) {
    if (error instanceof AppError) return { ok: false, error: error.message };
    if (isTransientDatabaseError(error))
      return { ok: false, error: "The database is unavailable; try again shortly." };
    console.error("Unhandled error in server action", error);
    return { ok: false, error: "Something went wrong; nothing was changed." };
  }
}
