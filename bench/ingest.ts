import os from "node:os";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import postgres from "postgres";
import { openDb } from "@/db/client";
import { createApiKey } from "@/lib/auth/api-keys";
import { createBenchAlertRules } from "./support/alert-rules";
import { createBenchDatabase } from "./support/database";
import { generateEvents, type BenchEvent } from "./support/events";
import { buildIfNeeded, startServer } from "./support/next-server";
import type { BenchSuite } from "./support/suite";
import { formatCount, formatTable } from "./support/table";

/*
 * How fast does telemetry land through the real API, compared with the fastest way
 * PostgreSQL can take the same rows? The API path is the production one: `next start`,
 * HTTP, key check, JSON parsing, validation of every event, exactly-once insert and the
 * typed projections in one transaction per batch. The reference is a plain COPY of the
 * same rows into a table with the same columns and indexes as `events`. Both sides get
 * their payloads serialised before the clock starts, so the figures are the server's.
 *
 * Every client count runs twice, on a server with alert evaluation off and then on (twenty
 * rules, bench/support/alert-rules.ts), to measure what evaluating rules costs ingestion.
 *
 * Settings (environment): BENCH_EVENTS (default 200000), BENCH_CLIENTS (default "4,8"),
 * BENCH_SEED (default 42), BENCH_REBUILD=1 to force `next build`.
 */

const PORT = 3401;
const BATCH_SIZE = 1_000;
/** A batch that takes longer than this means something is wrong; fail instead of hanging. */
const REQUEST_TIMEOUT_MS = 120_000;
/** The API should reach at least this share of raw COPY. */
const TARGET_SHARE_OF_COPY = 0.25;
/** Evaluating alert rules may cost ingestion at most this share of its throughput. */
const MAX_ALERT_EVALUATION_COST = 0.05;

const settings = {
  events: Number(process.env.BENCH_EVENTS ?? 200_000),
  clients: (process.env.BENCH_CLIENTS ?? "4,8").split(",").map(Number),
  seed: Number(process.env.BENCH_SEED ?? 42),
};

interface Measurement {
  path: string;
  clients: number;
  events: number;
  seconds: number;
  /** Whether the server evaluated alert rules (the API runs only). */
  evaluation?: "on" | "off";
}

const log = (line: string) => console.log(`  ${line}`);

export const ingestBenchmark: BenchSuite = {
  name: "ingest",
  description: "POST /api/v1/events against raw COPY of the same rows",
  run: runIngestBenchmark,
};

async function runIngestBenchmark(): Promise<void> {
  if (!Number.isInteger(settings.events) || settings.events < BATCH_SIZE) {
    throw new Error(`BENCH_EVENTS must be an integer of at least ${BATCH_SIZE}`);
  }
  await buildIfNeeded(log);

  log(`generating ${formatCount(settings.events)} events (seed ${settings.seed}) …`);
  const events = generateEvents(settings.events, settings.seed);
  const batches = chunk(events, BATCH_SIZE).map((batch) => JSON.stringify(batch));
  const copyChunks = chunk(events, BATCH_SIZE).map(copyText);
  const warmup = chunk(generateEvents(5 * BATCH_SIZE, settings.seed, "warmup"), BATCH_SIZE).map(
    (batch) => JSON.stringify(batch),
  );
  log(`type mix: ${describeMix(events)}`);

  const database = await createBenchDatabase();
  log(`database ${database.name}`);
  const app = await openDb({ kind: "postgres", url: database.url, maxConnections: 1 });
  const sql = postgres(database.url, { max: 1, onnotice: () => {} });
  let server: Awaited<ReturnType<typeof startServer>> | null = null;
  try {
    const { key } = await createApiKey(
      app.db,
      { name: "npm run bench", scopes: ["ingest"] },
      { type: "cli", id: null, label: "npm run bench" },
    );
    const rules = await createBenchAlertRules(app.db);
    log(`${rules} alert rules`);

    // Alert evaluation off, then on (every minute and after batches, as in production): the
    // same batches on the same server build, so the difference is what evaluation costs.
    const results: Measurement[] = [];
    for (const evaluation of ["off", "on"] as const) {
      server = await startServer(database.url, PORT, { CLOSELINE_ALERT_EVALUATION: evaluation });
      log(
        `next start on ${server.url} (production build, CLOSELINE_DEMO=off, alerts ${evaluation})`,
      );
      // The first requests load the route and warm the JIT; they are not measured.
      await postBatches(server.url, key, warmup, 2);
      for (const clients of settings.clients) {
        await emptyEventTables(sql);
        const seconds = await timed(() => postBatches(server!.url, key, batches, clients));
        const [{ count }] = await sql<
          [{ count: number }]
        >`select count(*)::int as count from events`;
        log(`events table after POST with ${clients} clients: ${formatCount(count)} rows`);
        if (count !== events.length) {
          throw new Error(
            `the events table holds ${count} events after sending ${events.length}; ingestion lost or invented events`,
          );
        }
        results.push({
          path: `POST /api/v1/events, alerts ${evaluation}`,
          clients,
          events: events.length,
          seconds,
          evaluation,
        });
      }
      await server.stop();
      server = null;
    }

    await sql`drop table if exists events_copy`;
    await sql`create table events_copy (like events including all)`;
    await sql`checkpoint`;
    const copySeconds = await timed(async () => {
      const writable = await sql`
        copy events_copy (source, event_id, type, time, data, attributes) from stdin`.writable();
      await pipeline(Readable.from(copyChunks), writable);
    });
    const [{ copied }] = await sql<[{ copied: number }]>`
      select count(*)::int as copied from events_copy`;
    if (copied !== events.length) {
      throw new Error(`COPY stored ${copied} rows of ${events.length}`);
    }
    const copy = {
      path: "COPY (same rows, same indexes)",
      clients: 1,
      events: copied,
      seconds: copySeconds,
    };
    await sql`drop table events_copy`;

    report(results, copy);
  } catch (error) {
    if (server) console.error(`\n  last lines of the server's output:\n${server.outputTail(40)}`);
    throw error;
  } finally {
    await server?.stop();
    await sql.end({ timeout: 5 });
    await app.close();
    await database.drop();
  }
}

/** Sends every batch once, `clients` requests at a time, and checks each answer in full. */
async function postBatches(
  baseUrl: string,
  key: string,
  bodies: string[],
  clients: number,
): Promise<void> {
  let next = 0;
  const client = async () => {
    while (next < bodies.length) {
      const index = next++;
      const response = await fetch(`${baseUrl}/api/v1/events`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${key}`,
          "content-type": "application/cloudevents-batch+json",
        },
        body: bodies[index],
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      }).catch((error: unknown) => {
        throw new Error(
          (error as Error).name === "TimeoutError"
            ? `batch ${index}: no answer within ${REQUEST_TIMEOUT_MS / 1000} s`
            : `batch ${index}: ${String(error)}`,
        );
      });
      const text = await response.text();
      if (response.status !== 200) {
        throw new Error(`batch ${index}: HTTP ${response.status}: ${text.slice(0, 500)}`);
      }
      const result = JSON.parse(text) as {
        accepted: number;
        duplicates: number;
        rejected: unknown[];
      };
      if (
        result.accepted !== BATCH_SIZE ||
        result.duplicates !== 0 ||
        result.rejected.length !== 0
      ) {
        throw new Error(
          `batch ${index}: expected ${BATCH_SIZE} accepted, got ${text.slice(0, 500)}`,
        );
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
}

/** Each API run starts from the same empty tables; CASCADE reaches the projections. */
async function emptyEventTables(sql: postgres.Sql): Promise<void> {
  await sql`truncate events, rejected_events restart identity cascade`;
  await sql`checkpoint`;
}

async function timed(work: () => Promise<void>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function chunk<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/** COPY text format: tab-separated, with backslash, tab and line breaks escaped. */
function copyField(value: string): string {
  return value.replace(/[\\\t\n\r]/g, (c) =>
    c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r",
  );
}

/** The row the API would store, in the columns COPY fills: source, id, type, time, data, attributes. */
function copyText(batch: BenchEvent[]): string {
  return batch
    .map((event) => {
      const { specversion: _v, id, source, type, time, data, ...attributes } = event;
      return [source, id, type, time, JSON.stringify(data), JSON.stringify(attributes)]
        .map(copyField)
        .join("\t");
    })
    .join("\n")
    .concat("\n");
}

function describeMix(events: BenchEvent[]): string {
  const counts = new Map<string, number>();
  for (const event of events) counts.set(event.type, (counts.get(event.type) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([type, n]) => `${type} ${((100 * n) / events.length).toFixed(1)}%`)
    .join(", ");
}

function report(api: Measurement[], copy: Measurement): void {
  const rate = (m: Measurement) => m.events / m.seconds;
  const rows = [...api, copy].map((m) => [
    m.path,
    String(m.clients),
    formatCount(m.events),
    m.seconds.toFixed(2),
    formatCount(rate(m)),
    `${((100 * rate(m)) / rate(copy)).toFixed(1)}%`,
  ]);
  console.log("");
  console.log(
    formatTable(["path", ">clients", ">events", ">seconds", ">events/s", ">of COPY"], rows)
      .split("\n")
      .map((line) => `  ${line}`)
      .join("\n"),
  );
  const best = Math.max(...api.map(rate));
  const ratio = best / rate(copy);
  console.log("");
  log(
    `API/COPY ratio (best API run): ${ratio.toFixed(3)} — target ≥ ${TARGET_SHARE_OF_COPY} ${
      ratio >= TARGET_SHARE_OF_COPY ? "met" : "NOT met"
    } (${os.cpus().length} CPUs, ${os.loadavg()[0]!.toFixed(1)} load)`,
  );
  for (const clients of new Set(api.map((m) => m.clients))) {
    const off = api.find((m) => m.clients === clients && m.evaluation === "off");
    const on = api.find((m) => m.clients === clients && m.evaluation === "on");
    if (!off || !on) continue;
    const cost = 1 - rate(on) / rate(off);
    log(
      `alert evaluation with ${clients} clients: on/off ${(rate(on) / rate(off)).toFixed(3)}, cost ${(100 * cost).toFixed(1)} % — target ≤ ${100 * MAX_ALERT_EVALUATION_COST} % ${
        cost <= MAX_ALERT_EVALUATION_COST ? "met" : "NOT met"
      }`,
    );
  }
}
