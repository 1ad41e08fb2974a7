import os from "node:os";
import postgres from "postgres";
import { sweepExceptions } from "@/lib/exceptions/detect";
import { alternatingOrder, median } from "./support/alternating";
import { createBenchApiKey, createBenchDatabase, openBenchClients } from "./support/database";
import { generateEvents } from "./support/events";
import { BATCH_SIZE, REQUEST_TIMEOUT_MS, batchBodies, postBatches } from "./support/ingest";
import { buildIfNeeded, withServers } from "./support/next-server";
import { quantile, timedSeconds } from "./support/stats";
import { log, type BenchSuite } from "./support/suite";
import { formatCount, formatTable } from "./support/table";
import { loadTelemetry } from "./support/telemetry-load";

/*
 * Twenty people watching the overview and the exception queue while ingestion runs flat out:
 * what does serving their reads from a streaming replica (DATABASE_REPLICA_URL,
 * docs/replicas.md) change for ingestion's rate and for the KPIs' latency? One fresh
 * database, replicated like every database of the local server, holds 60 days of telemetry
 * (so the overview's default range, the last 30 days, and the period before it are full).
 * The production server then runs once per case, without and with the replica, in ABBA order
 * (bench/support/alternating.ts), so a drift over the series (tables growing, caches warming,
 * a neighbour's load) favours neither. In each run several clients post batches as fast as
 * the server takes them while every user polls what the two pages ask for, at the pages' own
 * refresh intervals, for BENCH_READERS_SECONDS.
 *
 * Settings (environment): BENCH_READERS_SECONDS (default 60), BENCH_READERS_PAIRS (default 2:
 * without, with, with, without), BENCH_READERS_USERS (default 20), BENCH_READERS_CLIENTS
 * (default 4), BENCH_READERS_SERIES (usage series an hour, default 480 as in the kpis suite),
 * BENCH_SEED (default 42), BENCH_PORT (default 3405), CLOSELINE_TEST_REPLICA_PORT (default
 * 5433, where scripts/ensure-replica.sh puts the replica).
 */

const settings = {
  seconds: Number(process.env.BENCH_READERS_SECONDS ?? 60),
  pairs: Number(process.env.BENCH_READERS_PAIRS ?? 2),
  users: Number(process.env.BENCH_READERS_USERS ?? 20),
  clients: Number(process.env.BENCH_READERS_CLIENTS ?? 4),
  series: Number(process.env.BENCH_READERS_SERIES ?? 480),
  seed: Number(process.env.BENCH_SEED ?? 42),
  port: Number(process.env.BENCH_PORT ?? 3405),
  replicaPort: process.env.CLOSELINE_TEST_REPLICA_PORT ?? "5433",
};

const HOUR = 3_600_000;
const HISTORY_HOURS = 60 * 24;
/**
 * Events generated for each run: more than the server ingests in the run's time. The best
 * rate measured on this machine, with nothing reading, was 9,638 events/s.
 */
const POOL_EVENTS_PER_SECOND = 10_000;
/** One generator stream; larger ones would run past today (about 22 events an hour from Oct 2025). */
const EVENTS_PER_SEED = 200_000;

/**
 * What one user's overview and queue pages ask for, at their refresh intervals: the overview
 * re-renders its KPIs every 30 s (default range), the queue refetches its page every 20 s and
 * its tab counts every 60 s. Per user 0.1 requests/s; 20 users make 2 a second.
 */
const POLLS = [
  { read: "kpi", path: "/api/v1/kpis", everyMs: 30_000 },
  { read: "queue", path: "/api/v1/exceptions", everyMs: 20_000 },
  { read: "counts", path: "/api/v1/exceptions/counts", everyMs: 60_000 },
] as const;
type Read = (typeof POLLS)[number]["read"];

interface Run {
  replica: boolean;
  pair: number;
  seconds: number;
  events: number;
  /** The pool ran out before the time did: the run ended early. */
  exhausted: boolean;
  latencies: Record<Read, number[]>;
  errors: number;
  /** Transactions the replica ran in the bench database: the reads it served (and its checks). */
  replicaTransactions: number;
  /** The replica's largest lag seen in the run (sampled every second), in seconds. */
  maxLagSeconds: number;
}

export const readersBenchmark: BenchSuite = {
  name: "readers",
  description: "20 dashboard users while ingesting, without and with a read replica",
  run: runReadersBenchmark,
};

async function runReadersBenchmark(): Promise<void> {
  if (!(settings.seconds > 0) || !Number.isInteger(settings.pairs) || settings.pairs < 1) {
    throw new Error("BENCH_READERS_SECONDS must be positive, BENCH_READERS_PAIRS at least 1");
  }
  await buildIfNeeded(log);
  const database = await createBenchDatabase();
  const replicaUrl = new URL(database.url);
  replicaUrl.port = settings.replicaPort;
  const replicaServer = new URL(replicaUrl);
  replicaServer.pathname = "/postgres";
  const replica = postgres(replicaServer.toString(), { max: 1, onnotice: () => {} });
  const clients = await openBenchClients(database.url);
  const { app, sql } = clients;
  try {
    await withServers(async (servers) => {
      const [state] = await replica<[{ streaming: boolean }]>`
      select pg_is_in_recovery() and exists (
        select from pg_stat_wal_receiver where status = 'streaming') as streaming`.catch(() => [
        { streaming: false },
      ]);
      if (!state.streaming) {
        throw new Error(
          `no streaming replica at ${replicaServer.host}; start one with bash scripts/ensure-replica.sh`,
        );
      }
      log(`database ${database.name}, replica ${replicaUrl.host}`);
      const ingestKey = await createBenchApiKey(app.db, "npm run bench -- readers", ["ingest"]);
      const readKey = await createBenchApiKey(app.db, "npm run bench -- readers", ["read"]);

      log(`loading ${HISTORY_HOURS} h × ${settings.series} usage series and the billing side …`);
      const end = new Date(Math.floor(Date.now() / HOUR) * HOUR);
      await loadTelemetry(sql, { hours: HISTORY_HOURS, seriesPerHour: settings.series, end }, log);
      // A running deployment made its first full sweep long ago; the queue needs its exceptions.
      await sweepExceptions(app.db, new Date());
      await sql`vacuum analyze exceptions, audit_log, settings`;

      const runs: Run[] = [];
      const order = alternatingOrder(settings.pairs);
      for (const [index, side] of order.entries()) {
        const pair = Math.floor(index / 2) + 1;
        const withReplica = side === "on";
        const label = `run ${index + 1} of ${order.length}, ${withReplica ? "with" : "without"} replica`;
        // Each run ingests new events (the seed is in every id), generated before its clock.
        const poolEvents = Math.ceil(settings.seconds * POOL_EVENTS_PER_SECOND) + 2 * BATCH_SIZE;
        const bodies: string[] = [];
        for (let made = 0, n = 0; made < poolEvents; made += EVENTS_PER_SEED, n++) {
          const count = Math.min(EVENTS_PER_SEED, poolEvents - made);
          bodies.push(
            ...batchBodies(generateEvents(count, settings.seed + 100 * index + n, "readers")),
          );
        }
        // Every run starts from a checkpoint, with the replica caught up.
        await sql`checkpoint`;
        await replicaCatchesUp(sql, replica);

        const server = await servers.start(
          database.url,
          settings.port,
          withReplica ? { DATABASE_REPLICA_URL: replicaUrl.toString() } : {},
        );
        // The first requests load the routes and warm the JIT; they are not measured.
        await postBatches(server.url, ingestKey, bodies.splice(0, 2), 2);
        for (const poll of POLLS) await read(server.url, readKey, poll.path);

        const transactionsBefore = await replicaTransactions(replica, database.name);
        const deadline = Date.now() + settings.seconds * 1000;
        let ingesting = true;
        let batches = 0;
        const active = () => ingesting && Date.now() < deadline;
        const users = dashboardUsers(server.url, readKey, active);
        const lag = maxReplicaLag(sql, replica, active);
        const seconds = await timedSeconds(async () => {
          batches = await postBatches(server.url, ingestKey, bodies, settings.clients, deadline);
        });
        ingesting = false;
        const { latencies, errors } = await users;
        const run: Run = {
          replica: withReplica,
          pair,
          seconds,
          events: batches * BATCH_SIZE,
          exhausted: batches === bodies.length,
          latencies,
          errors,
          replicaTransactions:
            (await replicaTransactions(replica, database.name)) - transactionsBefore,
          maxLagSeconds: await lag,
        };
        runs.push(run);
        await servers.stop();
        const reads = Object.values(latencies).flat().length + errors;
        log(
          `${label}: ${formatCount(run.events / seconds)} events/s over ${seconds.toFixed(1)} s` +
            `${run.exhausted ? " (its events ran out before the time)" : ""}; KPI p95 ` +
            `${quantile(sorted(latencies.kpi), 0.95).toFixed(0)} ms; ${errors} errors; ` +
            `the replica ran ${run.replicaTransactions} transactions for ${reads} reads, ` +
            `replay lag at most ${run.maxLagSeconds.toFixed(1)} s`,
        );
        if (withReplica && run.replicaTransactions < reads) {
          log(
            `  (fewer than one per read: some reads went to the primary, the replica ` +
              `${run.maxLagSeconds >= 10 ? "over the 10 s the router allows behind" : "slow to answer its 1 s state check"})`,
          );
        }
      }
      report(runs);
    });
  } finally {
    await replica.end({ timeout: 5 });
    await clients.close();
    await database.drop();
  }
}

/** One GET as the dashboard's pages make it; answers its latency in ms, or null on an error. */
async function read(baseUrl: string, key: string, path: string): Promise<number | null> {
  const started = performance.now();
  try {
    const response = await fetch(`${baseUrl}${path}`, {
      headers: { authorization: `Bearer ${key}` },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    await response.text();
    return response.status === 200 ? performance.now() - started : null;
  } catch {
    return null;
  }
}

/**
 * settings.users people, each polling every POLLS entry at its interval while `active()`;
 * their first requests are spread evenly over an interval, as people do not open their pages
 * in the same second.
 */
async function dashboardUsers(baseUrl: string, key: string, active: () => boolean) {
  const latencies: Record<Read, number[]> = { kpi: [], queue: [], counts: [] };
  let errors = 0;
  const poll = async (user: number, { read: kind, path, everyMs }: (typeof POLLS)[number]) => {
    let due = Date.now() + (user * everyMs) / settings.users;
    for (;;) {
      while (active() && Date.now() < due) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(250, due - Date.now())));
      }
      if (!active()) return;
      const ms = await read(baseUrl, key, path);
      if (ms === null) errors++;
      else latencies[kind].push(ms);
      // A fixed period, as react-query's refetchInterval keeps, not a pause after each answer.
      due += everyMs;
    }
  };
  await Promise.all(
    Array.from({ length: settings.users }, (_, user) => POLLS.map((p) => poll(user, p))).flat(),
  );
  return { latencies, errors };
}

/** Waits until the replica has replayed everything the primary has written so far. */
async function replicaCatchesUp(primary: postgres.Sql, replica: postgres.Sql): Promise<void> {
  const [{ lsn }] = await primary<[{ lsn: string }]>`select pg_current_wal_lsn()::text as lsn`;
  const deadline = Date.now() + 300_000;
  for (;;) {
    const [{ done }] = await replica<[{ done: boolean }]>`
      select coalesce(pg_last_wal_replay_lsn() >= ${lsn}::pg_lsn, false) as done`;
    if (done) return;
    if (Date.now() > deadline) {
      throw new Error("the replica did not catch up within 300 s (is its replay paused?)");
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * The replica's largest lag while `active()`, sampled every second and measured as the router
 * measures it (db/replicas.ts): none once it has replayed what the primary had written, else
 * the age of the last transaction it replayed. (pg_stat_replication's replay_lag keeps its
 * last value, minutes old after a load.)
 */
async function maxReplicaLag(
  primary: postgres.Sql,
  replica: postgres.Sql,
  active: () => boolean,
): Promise<number> {
  let max = 0;
  while (active()) {
    const [{ lsn }] = await primary<[{ lsn: string }]>`select pg_current_wal_lsn()::text as lsn`;
    const [{ lag }] = await replica<[{ lag: number }]>`
      select case when pg_last_wal_replay_lsn() >= ${lsn}::pg_lsn then 0
        else extract(epoch from now() - pg_last_xact_replay_timestamp()) end::float8 as lag`;
    max = Math.max(max, lag);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  return max;
}

/** The replica's own count of transactions in `database` (its statistics, not the primary's). */
async function replicaTransactions(replica: postgres.Sql, database: string): Promise<number> {
  // Statistics reach the view within a second of a transaction's end.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const [row] = await replica<[{ n: number }?]>`
    select (xact_commit + xact_rollback)::int as n from pg_stat_database where datname = ${database}`;
  return row?.n ?? 0;
}

const sorted = (values: readonly number[]) => [...values].sort((a, b) => a - b);

function report(runs: Run[]): void {
  const rate = (run: Run) => run.events / run.seconds;
  const ms = (values: number[], q: number) => (values.length ? quantile(sorted(values), q) : NaN);
  const side = (replica: boolean) => {
    const own = runs.filter((run) => run.replica === replica);
    const all = (kind: Read) => own.flatMap((run) => run.latencies[kind]);
    return {
      label: replica ? "with replica" : "without replica",
      runs: own.length,
      // Rates are each run's own; latencies pool every request of the case's runs.
      rate: median(own.map(rate)),
      kpiP50: ms(all("kpi"), 0.5),
      kpiP95: ms(all("kpi"), 0.95),
      kpiCount: all("kpi").length,
      queueP95: ms(all("queue"), 0.95),
      countsP95: ms(all("counts"), 0.95),
      errors: own.reduce((sum, run) => sum + run.errors, 0),
    };
  };
  const cases = [side(false), side(true)];
  console.log("");
  console.log(
    formatTable(
      [
        "case",
        ">runs",
        ">events/s (median)",
        ">KPI p50 ms",
        ">KPI p95 ms",
        ">KPI requests",
        ">queue p95 ms",
        ">counts p95 ms",
        ">errors",
      ],
      cases.map((c) => [
        c.label,
        String(c.runs),
        formatCount(c.rate),
        c.kpiP50.toFixed(0),
        c.kpiP95.toFixed(0),
        String(c.kpiCount),
        c.queueP95.toFixed(0),
        c.countsP95.toFixed(0),
        String(c.errors),
      ]),
    )
      .split("\n")
      .map((line) => `  ${line}`)
      .join("\n"),
  );
  const [without, withReplica] = cases as [(typeof cases)[0], (typeof cases)[0]];
  console.log("");
  log(
    `${settings.users} users (${(settings.users * POLLS.reduce((sum, p) => sum + 1000 / p.everyMs, 0)).toFixed(1)} reads/s), ` +
      `${settings.clients} ingesting clients, ${settings.seconds} s a run, ABBA × ${settings.pairs}; ` +
      `replica on the same host (${os.cpus().length} CPUs, ${os.loadavg()[0]!.toFixed(1)} load)`,
  );
  console.log(
    `readers: ingest ${(withReplica.rate / without.rate).toFixed(2)}× with replica, ` +
      `KPI p95 ${(withReplica.kpiP95 / without.kpiP95).toFixed(2)}× with replica`,
  );
}
