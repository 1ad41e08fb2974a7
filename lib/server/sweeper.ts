import type { Db } from "@/db/client";
import { sweepExceptions } from "@/lib/exceptions/detect";

const SWEEP_INTERVAL_MS = 60_000;

/**
 * Starts the once-a-minute exception sweep in this server process. Errors are logged and the
 * next tick tries again: a database restart must not stop the sweeps for good.
 */
export function startExceptionSweeper(db: Db): () => void {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await sweepExceptions(db, new Date());
    } catch (error) {
      console.error("Exception sweep failed; retrying in a minute", error);
    } finally {
      running = false;
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), SWEEP_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
