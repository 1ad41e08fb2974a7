import { readFileSync, readdirSync } from "node:fs";
import { createBenchApiKey, createBenchDatabase, openBenchClients } from "./database";
import { generateEvents } from "./events";
import { batchBodies, postBatches } from "./ingest";
import { BENCH_DIST_DIR, buildIfNeeded, withServers } from "./next-server";

/*
 * The server's CPU per event through HTTP: the production build (`next start`, built into
 * BENCH_DIST_DIR when stale) on a fresh database, BENCH_EVENTS of the bench's events
 * (default 20,000) posted in batches of 1,000 by BENCH_CLIENTS clients (default 4) after
 * 5,000 unmeasured ones. The server's CPU is the utime + stime in /proc of every process of
 * its process group; PostgreSQL's is not counted (bench/support/ingest-cpu.ts measures it).
 * Compare two versions by running this alternately in their checkouts:
 *
 *   CLOSELINE_ALERT_EVALUATION=off npx tsx --conditions=react-server bench/support/http-cpu.ts
 *
 * BENCH_PREBUILT=1 runs the build in BENCH_DIST_DIR as it is (e.g. another checkout's, copied
 * here, to compare two builds on one tree). BENCH_CPU_PROF=<dir> starts the server under `node --cpu-prof`, its profile written there
 * when the server stops (bench/support/cpu-profile-top.ts summarises one).
 */

const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 4);
const PORT = Number(process.env.BENCH_PORT ?? 3411);
/** Clock ticks per second in /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** CPU seconds used so far by the processes of process group `pgid`. */
function groupCpuSeconds(pgid: number): number {
  let ticks = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) === pgid) ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone meanwhile
    }
  }
  return ticks / TICKS_PER_SECOND;
}

async function main() {
  if (process.env.BENCH_PREBUILT !== "1") await buildIfNeeded(() => {});
  const bodies = batchBodies(generateEvents(EVENTS, 42));
  const warmup = batchBodies(generateEvents(5_000, 7, "warm"));
  const database = await createBenchDatabase();
  const clients = await openBenchClients(database.url);
  try {
    const key = await createBenchApiKey(clients.app.db, "http-cpu", ["ingest"]);
    await withServers(async (servers) => {
      const profile = process.env.BENCH_CPU_PROF;
      const server = await servers.start(
        database.url,
        PORT,
        { CLOSELINE_ALERT_EVALUATION: process.env.CLOSELINE_ALERT_EVALUATION ?? "off" },
        [
          ...(profile ? ["--cpu-prof", `--cpu-prof-dir=${profile}`] : []),
          ...(process.env.BENCH_NODE_FLAGS?.split(" ").filter(Boolean) ?? []),
        ],
      );
      await postBatches(server.url, key, warmup, CLIENTS);
      const before = groupCpuSeconds(server.pid);
      const started = process.hrtime.bigint();
      await postBatches(server.url, key, bodies, CLIENTS);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const cpu = groupCpuSeconds(server.pid) - before;
      console.log(
        JSON.stringify({
          build: BENCH_DIST_DIR,
          events: EVENTS,
          clients: CLIENTS,
          serverMicros: Math.round((cpu / EVENTS) * 1e7) / 10,
          eventsPerSecond: Math.round(EVENTS / seconds),
          load: Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]),
        }),
      );
    });
  } finally {
    await clients.close();
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
