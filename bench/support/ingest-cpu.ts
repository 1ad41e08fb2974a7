import { readFileSync } from "node:fs";
import postgres from "postgres";
import { openDb } from "@/db/client";
import { ingestItems } from "@/lib/ingest/ingest";
import { createBenchDatabase } from "./database";
import { generateEvents } from "./events";
import { BATCH_SIZE, chunk } from "./ingest";

/*
 * CPU per ingested event, in-process: `ingestItems` (what POST /api/v1/events calls, without
 * HTTP) over BENCH_EVENTS of the bench's events (default 20,000) in batches of 1,000 on one
 * connection to a fresh database, after an unmeasured warm-up of 5,000 other events. Node's
 * CPU is the process's own (process.cpuUsage), PostgreSQL's the utime + stime in /proc of
 * every backend serving the database. On a shared machine the rates are noise but CPU per
 * event is comparable, so two versions are compared by running this alternately in their
 * checkouts (bench/README.md, "Where an event's CPU goes"):
 *
 *   npx tsx --conditions=react-server bench/support/ingest-cpu.ts
 *
 * It prints one JSON line: µs of node and of PostgreSQL CPU per event. BENCH_CLIENTS=4 sends
 * the batches from that many concurrent callers on as many connections, as the API's clients
 * would: their detections queue while one drain runs, and the next drain takes them together.
 */

const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const WARM_UP_EVENTS = 5_000;
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 1);
const SERVER_URL = process.env.CLOSELINE_BENCH_PG ?? "postgres://postgres@127.0.0.1:5432/postgres";
/** Clock ticks per second in /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** CPU seconds a process has used so far, 0 if it has gone. */
function processCpuSeconds(pid: number): number {
  try {
    // The command name, in parentheses, may hold spaces: the fields count from after it.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

async function main() {
  const database = await createBenchDatabase();
  const handle = await openDb({ kind: "postgres", url: database.url, maxConnections: CLIENTS });
  const url = new URL(SERVER_URL);
  url.pathname = `/${database.name}`;
  const observer = postgres(url.toString(), { max: 1, onnotice: () => {} });
  try {
    await handle.indexesBuilt;
    const context = { apiKeyId: null, channel: "api" as const };
    /** Ingests the batches from CLIENTS concurrent callers, each taking the next batch. */
    const ingestAll = async (batches: unknown[][]) => {
      let next = 0;
      const caller = async () => {
        while (next < batches.length) {
          const batch = batches[next++]!;
          const result = await ingestItems(handle.db, batch, context);
          if (result.accepted !== batch.length) throw new Error(`batch not accepted whole`);
        }
      };
      await Promise.all(Array.from({ length: CLIENTS }, caller));
    };
    // Opens every connection of the pool, so that all the backends are counted below.
    await ingestAll(chunk(generateEvents(WARM_UP_EVENTS, 7, "warm"), BATCH_SIZE));
    const batches = chunk(generateEvents(EVENTS, 42), BATCH_SIZE);

    const backends = async () =>
      (
        await observer<{ pid: number }[]>`
          select pid from pg_stat_activity
          where datname = ${database.name} and pid <> pg_backend_pid() and backend_type = 'client backend'`
      ).map((r) => r.pid);
    const pids = await backends();
    const pgBefore = pids.map(processCpuSeconds);
    const nodeBefore = process.cpuUsage();
    const started = process.hrtime.bigint();
    await ingestAll(batches);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const node = process.cpuUsage(nodeBefore);
    const pgSeconds = pids.reduce((sum, pid, i) => sum + processCpuSeconds(pid) - pgBefore[i]!, 0);
    if ((await backends()).some((pid) => !pids.includes(pid)))
      throw new Error("a backend started during the run: its CPU is not counted");
    const perEvent = (cpuSeconds: number) => Math.round((cpuSeconds / EVENTS) * 1e6 * 10) / 10;
    console.log(
      JSON.stringify({
        events: EVENTS,
        clients: CLIENTS,
        nodeMicros: perEvent((node.user + node.system) / 1e6),
        postgresMicros: perEvent(pgSeconds),
        eventsPerSecond: Math.round(EVENTS / seconds),
        load: Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]),
      }),
    );
  } finally {
    await observer.end({ timeout: 5 });
    await handle.close();
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
