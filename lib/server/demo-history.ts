import type { Db } from "@/db/client";
import { latestReceivedAt } from "@/db/queries/ingest";
import { sweepExceptions } from "@/lib/exceptions/detect";
import { ingestItems } from "@/lib/ingest/ingest";
import { Simulation } from "@/lib/simulator";
import type { SimEvent } from "@/lib/simulator/events";
import { DAY, HOUR } from "@/lib/simulator/time";
import { setUpAlertRules } from "./demo-alerts";
import {
  emptyTurnSummary,
  findOpsTeam,
  opsTeamTurn,
  setUpMateriality,
  startOpsTeam,
  type OpsTeam,
  type TurnSummary,
} from "./demo-ops";

/*
 * The demo's history, replayed inside the server process. A real company's events arrived
 * over the past weeks, seconds to hours after they happened; a demo that starts today has
 * to load them at once. Sent through the API they would all be stamped as received today
 * (an event lag of weeks), and the public API rightly lets no client say when its events
 * arrived. So the server replays them itself, step by simulated step: each event is stored
 * as received at its delivery time, the periodic exception sweep runs at the step's end,
 * and the operations team (demo-ops.ts) works the queue as it stood then.
 */

export interface HistoryOptions {
  seed: number;
  /** The simulator's start: monthly cycles that ended before it are not played. */
  since: number;
  /** Where the history ends and the live feed (scripts/start.ts) takes over. */
  until: number;
  /** The demo key the events are stored under, as if it had sent them. */
  apiKeyId: string | null;
  /** Null when there is no team to work the queue (no demo users). */
  team: OpsTeam | null;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

export interface HistorySummary {
  events: number;
  durationMs: number;
  actions: TurnSummary;
}

/*
 * Each step is one ingestion transaction, one sweep and one look at the queue, a fixed cost
 * whatever its size. Hour steps over the last two days (what the overview shows first and where
 * the open exceptions are) and quarter-day steps before keep the start-up short; a step
 * never delays when an event counts as received, only when the sweep and the team look.
 */
const RECENT_MS = 2 * DAY;
const RECENT_STEP_MS = HOUR;
const OLDER_STEP_MS = 6 * HOUR;
const MAX_BATCH = 1000;

export async function replayDemoHistory(db: Db, options: HistoryOptions): Promise<HistorySummary> {
  const log = options.log ?? ((line: string) => console.log(line));
  const started = Date.now();
  const simulation = new Simulation({ seed: options.seed, since: options.since });
  // A restart on a filled data folder resumes where the previous run's feed stopped.
  const latest = (await latestReceivedAt(db))?.getTime() ?? Number.NEGATIVE_INFINITY;
  const from = Math.max(options.since, Math.min(latest, options.until));
  const history = simulation.eventsBetween(from, options.until);
  const actions = emptyTurnSummary();
  let cursor = 0;
  let lastLine = started;
  for (let t = from; t < options.until && !options.signal?.aborted;) {
    const step = options.until - t > RECENT_MS ? OLDER_STEP_MS : RECENT_STEP_MS;
    const next = Math.min(t + step, options.until);
    let end = cursor;
    while (end < history.length && history[end]!.deliverAt < next) end++;
    for (let i = cursor; i < end; i += MAX_BATCH) {
      await ingestAsReceived(db, history.slice(i, Math.min(i + MAX_BATCH, end)), options.apiKeyId);
    }
    cursor = end;
    const now = new Date(next);
    await sweepExceptions(db, now);
    if (options.team) {
      const turn = await opsTeamTurn(db, options.team, {
        seed: options.seed,
        now,
        replay: { until: options.until },
      });
      for (const key of Object.keys(actions) as (keyof TurnSummary)[]) actions[key] += turn[key];
    }
    t = next;
    // The embedded database runs on this thread and answers in microtasks: without a turn of
    // the event loop between steps, no request (not even the health check) would be served
    // until the whole history is in.
    await new Promise((resolve) => setImmediate(resolve));
    if (Date.now() - lastLine > 5_000) {
      lastLine = Date.now();
      log(
        `[demo] history replayed up to ${now.toISOString().slice(0, 16)}Z: ${cursor.toLocaleString("en-US")} of ${history.length.toLocaleString("en-US")} events`,
      );
    }
  }
  return { events: cursor, durationMs: Date.now() - started, actions };
}

function ingestAsReceived(db: Db, batch: readonly SimEvent[], apiKeyId: string | null) {
  return ingestItems(
    db,
    batch.map((e) => e.event),
    { apiKeyId, channel: "api", receivedAt: batch.map((e) => new Date(e.deliverAt)) },
  );
}

/**
 * `npm start`'s demo in this server process: the history up to `until`, then `startLive` (the
 * exception sweep and alert evaluation) and the operations team in real time. They start only
 * once history is in, since until then they would judge last month's events by today's clock.
 * Answers when that has happened, and how to stop the team.
 */
export function startDemoCompany(
  db: Db,
  options: Omit<HistoryOptions, "team" | "log">,
  startLive: () => void,
): { live: Promise<void>; stop: () => void } {
  const log = (line: string) => console.log(line);
  let stopTeam = () => {};
  const live = (async () => {
    try {
      const team = await findOpsTeam(db);
      if (team) {
        await setUpMateriality(db, team);
        await setUpAlertRules(db, team.finance);
      }
      const summary = await replayDemoHistory(db, { ...options, team, log });
      const a = summary.actions;
      log(
        `[demo] history in: ${summary.events.toLocaleString("en-US")} events in ${(summary.durationMs / 1000).toFixed(1)} s; ` +
          `the team started ${a.started}, resolved ${a.resolved} and dismissed ${a.dismissed} exceptions`,
      );
      startLive();
      if (team && !options.signal?.aborted) stopTeam = startOpsTeam(db, team, options.seed);
    } catch (error) {
      console.error("The demo history could not be replayed; the live feed goes on", error);
      startLive();
    }
  })();
  return { live, stop: () => stopTeam() };
}
