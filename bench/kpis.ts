import os from "node:os";
import { sweepExceptions } from "@/lib/exceptions/detect";
import {
  createBenchApiKey,
  createBenchDatabase,
  reuseBenchDatabase,
  openBenchClients,
} from "./support/database";
import { NAIVE_KPI_QUERY, type NaiveKpis } from "./support/naive-kpis";
import { buildIfNeeded, withServers } from "./support/next-server";
import { log, type BenchSuite } from "./support/suite";
import { quantile } from "./support/stats";
import { formatCount, formatTable } from "./support/table";
import { countTelemetry, loadTelemetry } from "./support/telemetry-load";

/*
 * How fast does GET /api/v1/kpis answer over a realistic year of telemetry? A fresh
 * PostgreSQL database gets ~13 months of rows straight from generate_series
 * (support/telemetry-load.ts, ≥ 10 M rows by default), then the production server answers a
 * 30-day and a 1-day range, each measured over many requests after a warm-up. The baseline
 * is the same headline KPIs from one naive aggregate query over the raw events table, timed
 * in the same run on the same database; the headline numbers of both must agree.
 *
 * Settings (environment): BENCH_KPI_HOURS (default 9480, 395 days), BENCH_KPI_SERIES (usage
 * series per hour, default 480), BENCH_KPI_REQUESTS (default 40), BENCH_KPI_BASELINE_RUNS
 * (default 3), BENCH_KPI_KEEP=1 to keep the database for EXPLAIN, BENCH_REBUILD=1.
 */

const PORT = 3402;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Aim for p95 ≤ 150 ms on the 30-day range. */
const TARGET_P95_MS = 150;

const settings = {
  hours: Number(process.env.BENCH_KPI_HOURS ?? 395 * 24),
  series: Number(process.env.BENCH_KPI_SERIES ?? 480),
  requests: Number(process.env.BENCH_KPI_REQUESTS ?? 40),
  baselineRuns: Number(process.env.BENCH_KPI_BASELINE_RUNS ?? 3),
  keep: process.env.BENCH_KPI_KEEP === "1" || Boolean(process.env.BENCH_KPI_REUSE),
  /** A database kept by an earlier run (BENCH_KPI_KEEP=1): skip the load, to iterate on queries. */
  reuse: process.env.BENCH_KPI_REUSE ?? null,
};

export const kpisBenchmark: BenchSuite = {
  name: "kpis",
  description: "GET /api/v1/kpis over ≥ 10 M telemetry rows against one naive query",
  run: runKpiBenchmark,
};

interface RangeResult {
  label: string;
  p50: number;
  p95: number;
  max: number;
  baselineMs: number;
}

async function runKpiBenchmark(): Promise<void> {
  await buildIfNeeded(log);
  const database = settings.reuse
    ? reuseBenchDatabase(settings.reuse)
    : await createBenchDatabase();
  log(`database ${database.name}${settings.reuse ? " (reused, already loaded)" : ""}`);
  const clients = await openBenchClients(database.url);
  const { app, sql } = clients;
  try {
    await withServers(async (servers) => {
      const key = await createBenchApiKey(app.db, "npm run bench -- kpis", ["read"]);
      // The history ends at the top of the hour so "the last 30 days" is full of data.
      let end = new Date(Math.floor(Date.now() / HOUR) * HOUR);
      const started = Date.now();
      let counts;
      if (settings.reuse) {
        const [{ last }] = await sql<[{ last: Date }]>`select max(received_at) as last from events`;
        end = new Date(Math.ceil(last.getTime() / HOUR) * HOUR);
        counts = await countTelemetry(sql);
      } else {
        log(`loading ${settings.hours} h × ${settings.series} usage series and the billing side …`);
        counts = await loadTelemetry(
          sql,
          { hours: settings.hours, seriesPerHour: settings.series, end },
          log,
        );
      }
      const total = counts.reduce((sum, c) => sum + c.rows, 0);
      log(
        `loaded ${formatCount(total)} rows in ${((Date.now() - started) / 1000).toFixed(0)} s: ` +
          counts.map((c) => `${c.table} ${formatCount(c.rows)}`).join(", "),
      );
      if (total < 10_000_000 && !process.env.BENCH_KPI_HOURS && !settings.reuse) {
        throw new Error(`only ${total} telemetry rows; the bench promises at least 10 million`);
      }

      // The server's first exception sweep looks at everything (a minute at 50 M rows); a
      // running deployment made it long ago. Done here, it is not timed with the requests.
      const sweepStarted = Date.now();
      await sweepExceptions(app.db, new Date());
      // Autovacuum may be off (it is on these machines), and the sweep leaves dead rows.
      await sql`vacuum analyze exceptions, audit_log, settings`;
      log(`exception sweep and vacuum (${((Date.now() - sweepStarted) / 1000).toFixed(1)} s)`);

      const server = await servers.start(database.url, PORT);
      log(`next start on ${server.url} (production build, CLOSELINE_DEMO=off)`);

      const ranges = [
        { label: "30 days", from: new Date(end.getTime() - 30 * DAY), to: end },
        { label: "1 day", from: new Date(end.getTime() - DAY), to: end },
      ];
      // The API first for both ranges, then the (slow) naive query, so the figures that matter
      // are printed before the baseline's minutes begin.
      const results: RangeResult[] = [];
      const bodies: Record<string, unknown>[] = [];
      for (const range of ranges) {
        const url = `${server.url}/api/v1/kpis?from=${range.from.toISOString()}&to=${range.to.toISOString()}`;
        // Warm-up: the route's first load, the JIT, PostgreSQL's caches.
        let body: Record<string, unknown> = {};
        for (let i = 0; i < 5; i++) body = await getKpis(url, key);
        bodies.push(body);
        const latencies: number[] = [];
        for (let i = 0; i < settings.requests; i++) {
          const t = performance.now();
          await getKpis(url, key);
          latencies.push(performance.now() - t);
        }
        latencies.sort((a, b) => a - b);
        const result = {
          label: range.label,
          p50: quantile(latencies, 0.5),
          p95: quantile(latencies, 0.95),
          max: latencies.at(-1)!,
          baselineMs: Number.NaN,
        };
        results.push(result);
        log(
          `${range.label}: API p50 ${result.p50.toFixed(0)} ms, p95 ${result.p95.toFixed(0)} ms over ${settings.requests} requests`,
        );
      }
      // BENCH_KPI_BASELINE_RUNS=0 skips the baseline (minutes at this scale), to iterate on the API.
      for (const [i, range] of settings.baselineRuns > 0 ? ranges.entries() : []) {
        const baselineTimes: number[] = [];
        let naive: NaiveKpis | null = null;
        for (let run = 0; run < settings.baselineRuns; run++) {
          const t = performance.now();
          const rows = await sql.unsafe<NaiveKpis[]>(NAIVE_KPI_QUERY, [
            range.from.toISOString(),
            range.to.toISOString(),
            new Date().toISOString(),
          ]);
          naive = rows[0] ?? null;
          baselineTimes.push(performance.now() - t);
        }
        checkAgreement(range.label, bodies[i]!, naive!);
        results[i]!.baselineMs = quantile(
          baselineTimes.sort((a, b) => a - b),
          0.5,
        );
        log(`${range.label}: naive query ${results[i]!.baselineMs.toFixed(0)} ms`);
      }
      report(results, total);
    });
  } finally {
    await clients.close();
    if (settings.keep) log(`kept database ${database.name} (BENCH_KPI_KEEP=1)`);
    else await database.drop();
  }
}

async function getKpis(url: string, key: string): Promise<Record<string, unknown>> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`GET ${url}: HTTP ${response.status}: ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** The API and the naive query must report the same headline counts, or the timing is moot. */
function checkAgreement(label: string, api: Record<string, unknown>, naive: NaiveKpis): void {
  const pick = (path: string) =>
    path.split(".").reduce<unknown>((v, k) => (v as Record<string, unknown>)?.[k], api);
  const pairs: [string, unknown, string | null][] = [
    ["usageCompleteness.expected", pick("usageCompleteness.expected"), naive.usage_expected],
    ["usageCompleteness.received", pick("usageCompleteness.received"), naive.usage_received],
    ["eventLag.count", pick("eventLag.count"), naive.lag_count],
    ["invoiceLatency.count", pick("invoiceLatency.count"), naive.invoices],
    ["erpPosting.postings", pick("erpPosting.postings"), naive.postings],
    ["reconciliation.results", pick("reconciliation.results"), naive.recon_results],
    ["paymentToEntitlement.count", pick("paymentToEntitlement.count"), naive.payments],
  ];
  const wrong = pairs.filter(([, a, b]) => Number(a ?? 0) !== Number(b ?? 0));
  if (wrong.length > 0) {
    throw new Error(
      `${label}: the API and the naive query disagree: ${wrong
        .map(([name, a, b]) => `${name} ${String(a)} vs ${String(b)}`)
        .join(", ")}`,
    );
  }
  log(`${label}: API and naive query agree on ${pairs.length} headline counts`);
}

function report(results: RangeResult[], rows: number): void {
  const table = formatTable(
    [
      "range",
      ">requests",
      ">API p50 ms",
      ">API p95 ms",
      ">API max ms",
      ">naive query ms",
      ">naive / API p50",
    ],
    results.map((r) => [
      r.label,
      String(settings.requests),
      r.p50.toFixed(0),
      r.p95.toFixed(0),
      r.max.toFixed(0),
      r.baselineMs.toFixed(0),
      `${(r.baselineMs / r.p50).toFixed(1)}×`,
    ]),
  );
  console.log("");
  console.log(
    table
      .split("\n")
      .map((line) => `  ${line}`)
      .join("\n"),
  );
  const thirty = results[0]!;
  console.log("");
  log(
    `30-day p95 ${thirty.p95.toFixed(0)} ms over ${formatCount(rows)} rows — target ≤ ${TARGET_P95_MS} ms ${
      thirty.p95 <= TARGET_P95_MS ? "met" : "NOT met"
    } (${os.cpus().length} CPUs, ${os.loadavg()[0]!.toFixed(1)} load)`,
  );
}
