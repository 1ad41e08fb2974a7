import type { Db } from "@/db/client";
import { sweepExceptions } from "@/lib/exceptions/detect";
import { repeatInBackground } from "./repeat";

const SWEEP_INTERVAL_MS = 60_000;

/**
 * Starts the once-a-minute exception sweep in this server process. Errors are logged and the
 * next tick tries again: a database restart must not stop the sweeps for good.
 */
export function startExceptionSweeper(db: Db): () => void {
  return repeatInBackground(
    () => sweepExceptions(db, new Date()),
    SWEEP_INTERVAL_MS,
    "Exception sweep failed; retrying in a minute",
  );
}
