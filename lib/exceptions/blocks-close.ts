import type { Db } from "@/db/client";
import { listEntitiesWithOpenExceptions } from "@/db/queries/exceptions";
import { periodContaining, shiftPeriod } from "@/lib/close/period";
import { computeCloseReadiness, configuredCompletenessTarget } from "@/lib/close/readiness";

/*
 * "Blocks a close": an exception is a blocker of a close-readiness check that fails for its
 * entity in a month not yet closed. The rule is close readiness itself (lib/close/readiness.ts,
 * the same computation the close page shows), asked for each entity with open exceptions over
 * the months a close is still expected in, so the queue and the close checklist can never
 * disagree about what blocks a close.
 */

/** The current month and the five before it: the months the close portfolio shows. */
export const BLOCKING_MONTHS = 6;

/**
 * Far more than a close lists (DEFAULT_BLOCKER_LIMIT): the filter needs every blocker, not the
 * first page of them.
 */
const ALL_BLOCKERS = 10_000;

export interface BlockingParams {
  /** Only this entity's exceptions (the shell's entity filter). */
  entity?: string | null;
  now?: Date;
}

/** The ids of the exceptions that make a close-readiness check fail, in any open month. */
export async function exceptionsBlockingClose(
  db: Db,
  params: BlockingParams = {},
): Promise<string[]> {
  const now = params.now ?? new Date();
  const current = periodContaining(now);
  const periods = Array.from({ length: BLOCKING_MONTHS }, (_, i) => shiftPeriod(current, -i));
  const [entities, completenessTarget] = await Promise.all([
    listEntitiesWithOpenExceptions(db, params.entity ?? null),
    configuredCompletenessTarget(db),
  ]);
  const ids = new Set<string>();
  // One entity-month after the other: a close readiness is a dozen queries, and the queue
  // shares its connections with everything else.
  for (const entity of entities) {
    for (const period of periods) {
      const readiness = await computeCloseReadiness(db, {
        entity,
        period,
        completenessTarget,
        blockerLimit: ALL_BLOCKERS,
        now,
      });
      // A closed month is no longer waiting for anything.
      if (readiness.closed) continue;
      for (const check of readiness.checks) {
        if (check.passed) continue;
        for (const blocker of check.blockers) if (blocker.exceptionId) ids.add(blocker.exceptionId);
      }
    }
  }
  return [...ids];
}
