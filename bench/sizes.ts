import postgres from "postgres";
import { openDb } from "@/db/client";
import { ingestItems } from "@/lib/ingest/ingest";
import { createBenchDatabase } from "./support/database";
import { generateEvents } from "./support/events";
import { log, type BenchSuite } from "./support/suite";
import { formatCount, formatTable } from "./support/table";

/*
 * What a million events cost on disk (docs/capacity.md): the bench generator's events,
 * ingested in-process through the production path (ingestItems: events, projections, rollup
 * triggers, exceptions) in batches of 1,000, then VACUUM ANALYZE, then each table's heap
 * (with TOAST) and its indexes from pg_table_size / pg_indexes_size, scaled to a million.
 *
 * Settings: BENCH_EVENTS (default 100000), BENCH_SEED (default 42).
 */

const BATCH_SIZE = 1_000;
const settings = {
  events: Number(process.env.BENCH_EVENTS ?? 100_000),
  seed: Number(process.env.BENCH_SEED ?? 42),
};

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

export const sizesBenchmark: BenchSuite = {
  name: "sizes",
  description: "bytes on disk per million ingested events, per table and its indexes",
  run: runSizesBenchmark,
};

async function runSizesBenchmark(): Promise<void> {
  const events = generateEvents(settings.events, settings.seed);
  const database = await createBenchDatabase();
  const app = await openDb({ kind: "postgres", url: database.url, maxConnections: 2 });
  const sql = postgres(database.url, { max: 1, onnotice: () => {} });
  try {
    await app.indexesBuilt;
    const [empty] = await sql<
      [{ bytes: string }]
    >`select pg_database_size(current_database()) as bytes`;
    log(`ingesting ${formatCount(events.length)} events (seed ${settings.seed}) in-process …`);
    for (let i = 0; i < events.length; i += BATCH_SIZE) {
      await ingestItems(app.db, events.slice(i, i + BATCH_SIZE), {
        apiKeyId: null,
        channel: "api",
      });
    }
    await sql`vacuum analyze`;
    const tables = await sql<{ name: string; rows: string; heap: string; indexes: string }[]>`
      select c.relname as name, c.reltuples::bigint as rows,
        pg_table_size(c.oid) as heap, pg_indexes_size(c.oid) as indexes
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind = 'r' and pg_table_size(c.oid) > 16384
      order by pg_total_relation_size(c.oid) desc`;
    const perMillion = (bytes: number) => (bytes * 1_000_000) / events.length;
    const rows = tables.map((t) => [
      t.name,
      formatCount(Number(t.rows)),
      mib(perMillion(Number(t.heap))),
      mib(perMillion(Number(t.indexes))),
      mib(perMillion(Number(t.heap) + Number(t.indexes))),
    ]);
    const heap = tables.reduce((sum, t) => sum + Number(t.heap), 0);
    const indexes = tables.reduce((sum, t) => sum + Number(t.indexes), 0);
    rows.push([
      "total",
      "",
      mib(perMillion(heap)),
      mib(perMillion(indexes)),
      mib(perMillion(heap + indexes)),
    ]);
    console.log("");
    const table = formatTable(
      ["table", ">rows", ">heap MiB/M", ">indexes MiB/M", ">total MiB/M"],
      rows,
    );
    for (const line of table.split("\n")) log(line);
    const [full] = await sql<
      [{ bytes: string }]
    >`select pg_database_size(current_database()) as bytes`;
    console.log("");
    const grew = Number(full.bytes) - Number(empty.bytes);
    log(
      `database grew ${mib(grew)} MiB for ${formatCount(events.length)} events: ${mib(perMillion(grew))} MiB per million`,
    );
  } finally {
    await sql.end({ timeout: 5 });
    await app.close();
    await database.drop();
  }
}
