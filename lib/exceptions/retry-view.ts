import "server-only";
import { getDb } from "@/db";
import { listGroupEvents } from "./rejected-events";
import { retryProgress } from "./retry";

/*
 * What the retry and rejected-events panels of the exception view show, loaded with the
 * app's database (components may not import db/).
 */

export async function loadRetryProgress(exceptionId: string) {
  return retryProgress(await getDb(), exceptionId);
}

/** The group's events still waiting, oldest first, at most `limit`. */
export async function loadWaitingRejectedEvents(exceptionId: string, limit = 20) {
  return listGroupEvents(await getDb(), exceptionId, { limit });
}
