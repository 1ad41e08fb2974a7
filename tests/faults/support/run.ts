import { afterAll, beforeAll, expect } from "vitest";
import type { Db } from "@/db/client";
import type { CloudEvent } from "@/lib/simulator";
import { createTestDb, type TestDb } from "../../support/db";
import { appServer, type AppServer } from "./server";
import { apiKey, cleanRunOutcome, eventsStoredTwice, outcomeOf, type Outcome } from "./workload";

/** What a process-level fault test works on, once its hooks ran. */
export interface FaultRun {
  readonly db: Db;
  /** The app instances, started on the run's database. */
  readonly servers: readonly AppServer[];
  readonly ingestKey: string;
  readonly readKey: string;
  /** The outcome of a clean run of the same events: what the faulted run must end in. */
  readonly reference: Outcome;
}

/**
 * Registers the hooks every process-level fault test shares: a database of its own, an ingest
 * and a read key, `instances` production servers on it (started together, as a deployment
 * would: the migration lock lets one migrate at a time) and the clean run of `events`.
 * With `enabled` false nothing is set up (the test is skipped); `beforeStop` runs first after
 * the tests, whatever happened in them.
 */
export function faultRun(
  events: CloudEvent[],
  options: { instances?: number; enabled?: boolean; beforeStop?: () => Promise<void> } = {},
): FaultRun {
  let t: TestDb | undefined;
  const servers: AppServer[] = [];
  let keys: { ingest: string; read: string } | undefined;
  let reference: Outcome | undefined;
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the fault run is set up in beforeAll");
    return value;
  };

  beforeAll(async () => {
    if (options.enabled === false) return;
    t = await createTestDb();
    keys = { ingest: await apiKey(t.db, ["ingest"]), read: await apiKey(t.db, ["read"]) };
    // One at a time: each takes a free port of its own.
    for (let i = 0; i < (options.instances ?? 1); i++) servers.push(await appServer(t.url!));
    await Promise.all(servers.map((server) => server.start()));
    reference = await cleanRunOutcome(events);
  }, 600_000);

  afterAll(async () => {
    await options.beforeStop?.();
    await Promise.all(servers.map((server) => server.stop()));
    await t?.close();
  });

  return {
    get db() {
      return ready(t).db;
    },
    servers,
    get ingestKey() {
      return ready(keys).ingest;
    },
    get readKey() {
      return ready(keys).read;
    },
    get reference() {
      return ready(reference);
    },
  };
}

/**
 * The faulted run ended where the clean run did: no event stored twice, the same events, the
 * same rejections, KPIs and open exceptions. Answers the run's outcome for further checks.
 */
export async function expectCleanRunOutcome(run: FaultRun): Promise<Outcome> {
  const outcome = await outcomeOf(run.db);
  expect(await eventsStoredTwice(run.db)).toEqual([]);
  expect(outcome.keys).toEqual(run.reference.keys);
  expect(outcome.rejected).toBe(run.reference.rejected);
  expect(outcome.kpis).toEqual(run.reference.kpis);
  expect(outcome.exceptions).toEqual(run.reference.exceptions);
  return outcome;
}
