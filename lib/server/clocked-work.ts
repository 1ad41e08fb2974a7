import type { Db } from "@/db/client";
import { startAlertEvaluator, type AlertLoop, type AlertLoopOptions } from "@/lib/alerts/loop";
import { startDemoCompany, type HistoryOptions } from "./demo-history";
import { startExceptionSweeper } from "./sweeper";

/*
 * The background work that judges the data by today's clock: the exception sweep and alert
 * evaluation. With the demo's history to replay, both wait until it is in: before that the
 * data ends days or weeks ago, so every source looks quiet, and each quiet-source alert fired
 * then would be resolved by the rest of the load a minute later.
 */

export interface ClockedWorkOptions {
  /** `npm start`'s history to replay first; null when there is none. */
  demo: Omit<HistoryOptions, "team" | "log"> | null;
  /** Whether this process evaluates alert rules (CLOSELINE_ALERT_EVALUATION). */
  alertEvaluation: boolean;
  alertLoop?: AlertLoopOptions;
}

export interface ClockedWork {
  /** Resolves once the sweep and the evaluation have started (after the history, if any). */
  live: Promise<void>;
  stop(): Promise<void>;
}

export function startClockedWork(db: Db, options: ClockedWorkOptions): ClockedWork {
  let stopSweeper = () => {};
  let alertLoop: AlertLoop | null = null;
  const startLive = () => {
    stopSweeper = startExceptionSweeper(db);
    if (options.alertEvaluation) alertLoop = startAlertEvaluator(db, options.alertLoop);
  };
  const demo = options.demo ? startDemoCompany(db, options.demo, startLive) : null;
  if (!demo) startLive();
  return {
    live: demo?.live ?? Promise.resolve(),
    async stop() {
      await demo?.live;
      demo?.stop();
      stopSweeper();
      await alertLoop?.stop();
    },
  };
}
