/**
 * `npm run soak:profile [-- --events 1800000 --at 300000,900000]`: where the 30-day KPI
 * request's time goes as today fills, measured in the database rather than by the clock of a
 * busy machine. Fills today with the soak's events (its generator, re-timed to 0–2 s before
 * receipt as `npm run soak` sends them) through the in-process ingestion path (validation,
 * insert, projections, triggers, detection), two batches of 5,000 at a time, and at each of the --at fills (and at the end) runs the KPI report of
 * GET /api/v1/kpis (the default range, as the soak asks) on a connection with auto_explain:
 * every statement with its db time and the pages it touched (shared hit + read).
 *
 * `--reuse closeline_bench_<hex>` profiles a database kept by `--keep` without loading it
 * again, so two versions of the queries can be compared at the same data.
 */
import fs from "node:fs";
import os from "node:os";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { openDb, type Db } from "@/db/client";
import { queryRows } from "@/db/rows";
import * as schema from "@/db/schema";
import { resolveTimeRange } from "@/lib/filters/time-range";
import { ingestItems } from "@/lib/ingest/ingest";
import { computeKpis } from "@/lib/kpi/engine";
import { createBenchDatabase, type BenchDatabase } from "./support/database";
import { liveBatches } from "./support/events";
import { log, option, runMain } from "./support/suite";
import { formatCount, formatTable } from "./support/table";

/** Larger than the soak's 500: the same path, with less per-batch overhead to fill faster. */
const BATCH_SIZE = 5_000;
const SERVER_URL = process.env.CLOSELINE_BENCH_PG ?? "postgres://postgres@127.0.0.1:5432/postgres";

const settings = {
  events: Number(option("events") ?? 1_800_000),
  at: (option("at") ?? "")
    .split(",")
    .filter(Boolean)
    .map(Number)
    .sort((a, b) => a - b),
  reuse: option("reuse") ?? null,
  keep: process.argv.includes("--keep") || Boolean(option("reuse")),
  /** Profiled reports at each fill; the first warms the cache and is not printed. */
  repeats: Number(option("repeats") ?? 3),
  /** Where to write the last report's statements with their plans (JSON), to read them. */
  plans: option("plans") ?? null,
};

function reuseDatabase(name: string): BenchDatabase {
  if (!/^closeline_bench_[0-9a-f]+$/.test(name)) throw new Error(`Not a bench database: ${name}`);
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return { name, url: url.toString(), drop: async () => {} };
}

/** One statement's auto_explain entry, reduced to what the profile prints. */
interface Explained {
  query: string;
  ms: number;
  pages: number;
  plan: PlanNode;
}

interface PlanNode {
  "Actual Total Time"?: number;
  "Shared Hit Blocks"?: number;
  "Shared Read Blocks"?: number;
}

/** A database whose every statement is explained (analyze, buffers) into `into`. */
function explainingDb(url: string, into: Explained[]): { db: Db; end(): Promise<void> } {
  const client = postgres(url, {
    max: 1,
    onnotice: (notice) => {
      const text = String(notice.message ?? "");
      const json = text.indexOf("{");
      if (!text.startsWith("duration:") || json < 0) return;
      const entry = JSON.parse(text.slice(json)) as { "Query Text": string; Plan: PlanNode };
      into.push({
        query: entry["Query Text"].replace(/\s+/g, " ").trim(),
        ms: entry.Plan["Actual Total Time"] ?? 0,
        pages: (entry.Plan["Shared Hit Blocks"] ?? 0) + (entry.Plan["Shared Read Blocks"] ?? 0),
        plan: entry.Plan,
      });
    },
    connection: {
      application_name: "closeline soak profile",
      jit: "off",
      max_parallel_workers_per_gather: "0",
      session_preload_libraries: "auto_explain",
      client_min_messages: "log",
      "auto_explain.log_min_duration": "0",
      "auto_explain.log_analyze": "on",
      "auto_explain.log_buffers": "on",
      "auto_explain.log_timing": "on",
      "auto_explain.log_format": "json",
      "auto_explain.log_level": "log",
    } as Record<string, string>,
  });
  return {
    db: drizzle({ client, schema }) as unknown as Db,
    end: () => client.end({ timeout: 5 }),
  };
}

/** What a statement is, in a few words: the KPI query it belongs to. */
function label(query: string): string {
  const known: [RegExp, string][] = [
    [/from event_lag_day_versions/, "lag: day versions"],
    [/insert into event_lag_day_stats/, "lag: store day figures"],
    [/event_lag_fine_days d .*events e/s, "lag: fine counts"],
    [/order by e\.lag_ms offset|event_lag_value_days/, "lag: values"],
    [/event_lag_(days|months|hours)/, "lag: histogram spans"],
    [/usage_completeness_.*source/, "usage by source/meter"],
    [/usage_completeness/, "usage completeness"],
    [/kpi_summaries|invoice_latency|from invoices/, "invoice latency"],
    [/erp_posting_attempts .*error_code|error_code/, "ERP top error codes"],
    [/erp_postings/, "ERP posting"],
    [/reconciliation/, "reconciliation"],
    [/payment_syncs/, "payment sync"],
    [/from exceptions|exceptions x/, "open exceptions"],
    [/pg_catalog/, "(driver: array types)"],
    [/audit_log/, "manual interventions"],
  ];
  return known.find(([re]) => re.test(query))?.[1] ?? query.slice(0, 40);
}

async function profile(url: string): Promise<Explained[][]> {
  const runs: Explained[][] = [];
  for (let i = 0; i < settings.repeats; i++) {
    const entries: Explained[] = [];
    const explaining = explainingDb(url, entries);
    try {
      await computeKpis(explaining.db, {
        ...resolveTimeRange({ range: null, from: null, to: null }),
        entity: null,
      });
    } finally {
      await explaining.end();
    }
    // Transaction control and settings are not plans.
    runs.push(entries.filter((e) => !/^(begin|commit|set |start )/i.test(e.query)));
  }
  if (settings.plans) {
    fs.writeFileSync(settings.plans, JSON.stringify(runs[runs.length - 1], null, 1));
  }
  return runs.slice(1);
}

function printProfile(fill: number, runs: Explained[][]): void {
  const byLabel = new Map<string, { ms: number[]; pages: number[]; n: number }>();
  for (const run of runs) {
    const sums = new Map<string, { ms: number; pages: number; n: number }>();
    for (const e of run) {
      const key = label(e.query);
      const sum = sums.get(key) ?? { ms: 0, pages: 0, n: 0 };
      sums.set(key, { ms: sum.ms + e.ms, pages: sum.pages + e.pages, n: sum.n + 1 });
    }
    for (const [key, sum] of sums) {
      const row = byLabel.get(key) ?? { ms: [], pages: [], n: sum.n };
      row.ms.push(sum.ms);
      row.pages.push(sum.pages);
      byLabel.set(key, row);
    }
  }
  const min = (xs: number[]) => Math.min(...xs);
  const rows = [...byLabel.entries()]
    .sort((a, b) => min(b[1].ms) - min(a[1].ms))
    .map(([key, r]) => [key, String(r.n), formatCount(min(r.pages)), min(r.ms).toFixed(1)]);
  const total = runs.map((run) => run.reduce((s, e) => s + e.ms, 0));
  const pages = runs.map((run) => run.reduce((s, e) => s + e.pages, 0));
  rows.push(["all statements", "", formatCount(min(pages)), min(total).toFixed(1)]);
  console.log(
    `\n  today holds ${formatCount(fill)} soak events (load ${os.loadavg()[0]!.toFixed(1)})`,
  );
  console.log(
    formatTable(["statement", ">n", ">pages", ">db ms (best)"], rows)
      .split("\n")
      .map((line) => `  ${line}`)
      .join("\n"),
  );
}

async function main(): Promise<void> {
  const database = settings.reuse
    ? reuseDatabase(settings.reuse)
    : await createBenchDatabase({ dropOnAbort: !settings.keep });
  log(`database ${database.name}${settings.reuse ? " (reused)" : ""}`);
  const app = await openDb({ kind: "postgres", url: database.url, maxConnections: 4 });
  try {
    await app.indexesBuilt;
    if (!settings.reuse) {
      // As bench/soak.ts makes its batches: the generator's payloads, sent 0–2 s after `time`.
      const nextBatch = liveBatches(BATCH_SIZE);
      const started = Date.now();
      let filled = 0;
      for (const stop of [...settings.at.filter((n) => n < settings.events), settings.events]) {
        while (filled < stop) {
          await Promise.all(
            [nextBatch(), nextBatch()].map((batch) =>
              ingestItems(app.db, batch, { apiKeyId: null, channel: "api" }),
            ),
          );
          filled += 2 * BATCH_SIZE;
        }
        const rate = filled / ((Date.now() - started) / 1000);
        log(`ingested ${formatCount(filled)} events (${formatCount(rate)}/s)`);
        await app.db.execute(sql`analyze`);
        printProfile(filled, await profile(database.url));
      }
    } else {
      const [today] = await queryRows<{ n: string }>(
        app.db,
        sql`select count(*) as n from events where received_at >= date_trunc('day', now(), 'UTC')`,
      );
      printProfile(Number(today!.n), await profile(database.url));
    }
  } finally {
    await app.close();
    if (!settings.keep) await database.drop();
    else log(`kept ${database.name}: --reuse ${database.name}`);
  }
}

runMain(main, "SOAK PROFILE FAILED");
