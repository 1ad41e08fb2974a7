import type { Db } from "@/db/client";
import { evaluateAlerts, type EvaluationOptions } from "./evaluate";

/*
 * When rules are evaluated: every minute, and shortly after ingested batches (debounced, so
 * a burst of batches costs one evaluation, not one each). Several instances may run this
 * loop; evaluateAlerts lets one of them evaluate at a time.
 */

export interface AlertLoopOptions extends EvaluationOptions {
  intervalMs?: number;
  /** How long after a batch to wait for more before evaluating. */
  debounceMs?: number;
  log?: (message: string, error?: unknown) => void;
}

export interface AlertLoop {
  /** Asks for an evaluation soon (after the debounce). */
  nudge(): void;
  /** Stops the loop; resolves once a round in flight has finished. */
  stop(): Promise<void>;
}

let processLoop: AlertLoop | null = null;

/** Called after an ingested batch commits: the evaluation this process runs follows shortly. */
export function requestAlertEvaluation(): void {
  processLoop?.nudge();
}

export function startAlertEvaluator(db: Db, options: AlertLoopOptions = {}): AlertLoop {
  const intervalMs = options.intervalMs ?? 60_000;
  const debounceMs = options.debounceMs ?? 5_000;
  const log = options.log ?? ((message, error) => console.error(message, error));
  let stopped = false;
  let running: Promise<void> | null = null;
  let again = false;
  let debounce: NodeJS.Timeout | null = null;

  const round = () => {
    if (stopped) return;
    if (running) {
      // A change arrived mid-round: look once more when this round ends.
      again = true;
      return;
    }
    running = (async () => {
      try {
        await evaluateAlerts(db, new Date(), options);
      } catch (error) {
        log("Alert evaluation failed; trying again at the next round", error);
      }
    })().finally(() => {
      running = null;
      if (again && !stopped) {
        again = false;
        round();
      }
    });
  };

  const timer = setInterval(round, intervalMs);
  timer.unref();
  round();

  const loop: AlertLoop = {
    nudge() {
      if (stopped || debounce) return;
      debounce = setTimeout(() => {
        debounce = null;
        round();
      }, debounceMs);
      debounce.unref();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      if (debounce) clearTimeout(debounce);
      if (processLoop === loop) processLoop = null;
      await running;
    },
  };
  processLoop = loop;
  return loop;
}
