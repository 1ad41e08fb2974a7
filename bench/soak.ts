/**
 * `npm run soak [-- --minutes 10 --rate 2000 --users 3]`: sustained ingestion through
 * POST /api/v1/events at a fixed rate while simulated users poll GET /api/v1/kpis and the
 * exceptions queue (GET /api/v1/exceptions) every few seconds, against the production build
 * on a fresh PostgreSQL database. Prints a sample every 30 s (ingest rate, KPI and queue p95,
 * errors, the server's RSS) and a summary with the memory trend.
 *
 * The default rate is the sustained ingestion rate stated in bench/README.md ("soak rate");
 * --rate overrides it.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDb } from "@/db/client";
import { createBenchApiKey, createBenchDatabase } from "./support/database";
import { liveBatches } from "./support/events";
import { postEvents } from "./support/ingest";
import { buildIfNeeded, withServers } from "./support/next-server";
import { log, option, runMain } from "./support/suite";
import { formatCount, formatTable } from "./support/table";

const PORT = 3403;
const BATCH_SIZE = 500;
const SAMPLE_MS = 30_000;
const POLL_MS = 5_000;
const FALLBACK_RATE = 2_000;

function readmeRate(): number | null {
  try {
    const text = fs.readFileSync(path.join(process.cwd(), "bench", "README.md"), "utf8");
    const match = /soak rate[^0-9]*([0-9][0-9,]*)\s*events\/s/i.exec(text);
    return match ? Number(match[1]!.replace(/,/g, "")) : null;
  } catch {
    return null;
  }
}

const settings = {
  minutes: Number(option("minutes") ?? 10),
  rate: Number(option("rate") ?? readmeRate() ?? FALLBACK_RATE),
  users: Number(option("users") ?? 3),
};

/** Resident memory of the process listening on `port` (the Next.js server), in MiB. */
function serverRssMib(port: number): number | null {
  try {
    const out = execFileSync("ss", ["-ltnpH", `sport = :${port}`], { encoding: "utf8" });
    const pid = /pid=(\d+)/.exec(out)?.[1];
    if (!pid) return null;
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
    return kb / 1024;
  } catch {
    return null;
  }
}

function p95(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * 0.95;
  const lo = Math.floor(pos);
  return sorted[lo]! + (sorted[Math.ceil(pos)]! - sorted[lo]!) * (pos - lo);
}

interface Window {
  accepted: number;
  ingestErrors: number;
  kpi: number[];
  queue: number[];
  readErrors: number;
}
const emptyWindow = (): Window => ({
  accepted: 0,
  ingestErrors: 0,
  kpi: [],
  queue: [],
  readErrors: 0,
});

async function main(): Promise<void> {
  if (!(settings.minutes > 0) || !(settings.rate > 0) || !(settings.users >= 1)) {
    throw new Error("--minutes, --rate and --users must be positive numbers");
  }
  console.log(
    `\n== soak: ${settings.minutes} min at ${formatCount(settings.rate)} events/s, ${settings.users} users polling every ${POLL_MS / 1000} s\n`,
  );
  await buildIfNeeded(log);
  const database = await createBenchDatabase();
  log(`database ${database.name}`);
  const app = await openDb({ kind: "postgres", url: database.url, maxConnections: 1 });
  try {
    await withServers(async (servers) => {
      const ingestKey = await createBenchApiKey(app.db, "soak ingest", ["ingest"], "npm run soak");
      const readKey = await createBenchApiKey(app.db, "soak read", ["read"], "npm run soak");
      const server = await servers.start(database.url, PORT);
      const base = server.url;
      log(`next start on ${base} (production build, CLOSELINE_DEMO=off)`);

      let window = emptyWindow();
      const total = emptyWindow();
      let sent = 0;
      const deadline = Date.now() + settings.minutes * 60_000;
      const started = Date.now();

      // Event source: chunks of the bench generator, re-timed to "now" as a live sender would.
      const nextEvents = liveBatches(BATCH_SIZE);
      const nextBatch = (): string => JSON.stringify(nextEvents());

      // Ingestion: one batch every BATCH_SIZE / rate seconds, up to 8 in flight.
      const interval = (BATCH_SIZE / settings.rate) * 1000;
      let inFlight = 0;
      let behind = 0;
      const ingest = async () => {
        let due = Date.now();
        while (Date.now() < deadline) {
          const wait = due - Date.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          due += interval;
          if (inFlight >= 8) {
            behind++;
            continue;
          }
          inFlight++;
          const body = nextBatch();
          sent += BATCH_SIZE;
          void postEvents(base, ingestKey, body)
            .then(async (response) => {
              const text = await response.text();
              if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
              const accepted = (JSON.parse(text) as { accepted: number }).accepted;
              window.accepted += accepted;
              total.accepted += accepted;
            })
            .catch(() => {
              window.ingestErrors++;
              total.ingestErrors++;
            })
            .finally(() => inFlight--);
        }
        while (inFlight > 0) await new Promise((r) => setTimeout(r, 50));
      };

      const read = async (url: string, into: "kpi" | "queue") => {
        const t = performance.now();
        try {
          const response = await fetch(url, { headers: { authorization: `Bearer ${readKey}` } });
          await response.text();
          if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
          const ms = performance.now() - t;
          window[into].push(ms);
          total[into].push(ms);
        } catch {
          window.readErrors++;
          total.readErrors++;
        }
      };
      const user = async (n: number) => {
        await new Promise((r) => setTimeout(r, (n * POLL_MS) / settings.users));
        while (Date.now() < deadline) {
          // No range: the server's default, the overview's (the last 30 days to the next full hour).
          await read(`${base}/api/v1/kpis`, "kpi");
          await read(`${base}/api/v1/exceptions?limit=50`, "queue");
          await new Promise((r) => setTimeout(r, POLL_MS));
        }
      };

      const samples: string[][] = [];
      const rss: number[] = [];
      const startRss = serverRssMib(PORT);
      if (startRss !== null) rss.push(startRss);
      const sampler = setInterval(() => {
        const mib = serverRssMib(PORT);
        if (mib !== null) rss.push(mib);
        const w = window;
        window = emptyWindow();
        const row = [
          `${Math.round((Date.now() - started) / 1000)}`,
          formatCount(w.accepted / (SAMPLE_MS / 1000)),
          String(w.ingestErrors),
          p95(w.kpi)?.toFixed(0) ?? "-",
          p95(w.queue)?.toFixed(0) ?? "-",
          String(w.readErrors),
          mib?.toFixed(0) ?? "-",
        ];
        samples.push(row);
        log(
          `t=${row[0]} s  ingest ${row[1]}/s  KPI p95 ${row[3]} ms  queue p95 ${row[4]} ms  errors ${w.ingestErrors + w.readErrors}  RSS ${row[6]} MiB`,
        );
      }, SAMPLE_MS);

      await Promise.all([ingest(), ...Array.from({ length: settings.users }, (_, i) => user(i))]);
      clearInterval(sampler);
      const endRss = serverRssMib(PORT);
      if (endRss !== null) rss.push(endRss);

      const seconds = (Date.now() - started) / 1000;
      const requests = sent / BATCH_SIZE + total.kpi.length + total.queue.length + total.readErrors;
      const errors = total.ingestErrors + total.readErrors;
      console.log("");
      console.log(
        formatTable(
          [
            ">t s",
            ">ingest/s",
            ">ingest errors",
            ">KPI p95 ms",
            ">queue p95 ms",
            ">read errors",
            ">RSS MiB",
          ],
          samples,
        )
          .split("\n")
          .map((line) => `  ${line}`)
          .join("\n"),
      );
      // Memory trend: least-squares slope of RSS over the samples after the first (warm-up).
      const steady = rss.slice(1);
      const slope =
        steady.length >= 3
          ? (() => {
              const n = steady.length;
              const xs = steady.map((_, i) => (i * SAMPLE_MS) / 60_000);
              const mx = xs.reduce((a, b) => a + b, 0) / n;
              const my = steady.reduce((a, b) => a + b, 0) / n;
              const num = xs.reduce((a, x, i) => a + (x - mx) * (steady[i]! - my), 0);
              const den = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
              return num / den;
            })()
          : null;
      console.log("");
      log(
        `ingested ${formatCount(total.accepted)} events in ${seconds.toFixed(0)} s: ${formatCount(total.accepted / seconds)} events/s (target ${formatCount(settings.rate)}; ${behind} batches skipped with 8 in flight)`,
      );
      log(
        `KPI p95 ${p95(total.kpi)?.toFixed(0) ?? "-"} ms over ${total.kpi.length} requests; queue p95 ${p95(total.queue)?.toFixed(0) ?? "-"} ms over ${total.queue.length}`,
      );
      log(
        `error rate ${((100 * errors) / Math.max(requests, 1)).toFixed(2)}% (${errors} of ${formatCount(requests)} requests)`,
      );
      log(
        `server RSS ${startRss?.toFixed(0) ?? "?"} MiB at start, ${endRss?.toFixed(0) ?? "?"} MiB at end; trend after warm-up ${slope === null ? "n/a" : `${slope >= 0 ? "+" : ""}${slope.toFixed(1)} MiB/min`} (${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(1)})`,
      );
    });
  } finally {
    await app.close();
    await database.drop();
  }
}

runMain(main, "SOAK FAILED");
