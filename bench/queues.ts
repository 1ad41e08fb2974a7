import os from "node:os";
import type postgres from "postgres";
import { listExceptions, type ListExceptionsParams } from "@/db/queries/exceptions";
import type { ExceptionKey } from "@/db/queries/exception-rows";
import { loadQueueCounts, loadQueuePage } from "@/lib/exceptions/queue";
import { loadQueueParams } from "@/lib/exceptions/queue-params";
import { createBenchDatabase, openBenchClients } from "./support/database";
import { log, BENCH_RUNS, WARMUP, type BenchSuite } from "./support/suite";
import { quantile, timedSeconds } from "./support/stats";
import { formatCount, formatTable } from "./support/table";

/*
 * Does the exception queue stay fast at 100,000 open exceptions? A fresh database gets
 * that many open exceptions (plus closed ones, which the queue must skip) from one
 * generate_series INSERT; then each query is run RUNS times after a warm-up and its p50
 * and p95 reported:
 *   - the first page of the "all" view (oldest first), the query alone and the answer of
 *     GET /api/v1/exceptions (loadQueuePage), and the tabs' counts the browser asks for
 *     beside it, less often (GET /api/v1/exceptions/counts: per type, capped at 1,000);
 *   - the first page sorted by severity and by amount;
 *   - a filtered page: one type, one entity, a minimum amount;
 *   - a deep page (row 50,001 on) by keyset, against the same page by OFFSET, the naive
 *     pagination, measured in the same run as the baseline.
 *
 * Settings (environment): BENCH_OPEN_EXCEPTIONS (default 100000), BENCH_RUNS (default 50).
 */

const settings = {
  open: Number(process.env.BENCH_OPEN_EXCEPTIONS ?? 100_000),
};
const PAGE = 50;
/** What "stays fast" means here: a page as the browser asks for it, within this p95. */
const TARGET_P95_MS = 100;

export const queuesBenchmark: BenchSuite = {
  name: "queues",
  description: "the exception queue's pages at 100,000 open exceptions, keyset against OFFSET",
  run: runQueuesBenchmark,
};

interface Timing {
  name: string;
  rows: number;
  p50: number;
  p95: number;
}

async function measure(name: string, work: () => Promise<number>): Promise<Timing> {
  for (let i = 0; i < WARMUP; i++) await work();
  const times: number[] = [];
  let rows = 0;
  for (let i = 0; i < BENCH_RUNS; i++) {
    const started = process.hrtime.bigint();
    rows = await work();
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { name, rows, p50: quantile(times, 0.5), p95: quantile(times, 0.95) };
}

async function runQueuesBenchmark(): Promise<void> {
  if (!Number.isInteger(settings.open) || settings.open < 60_000) {
    throw new Error(
      "BENCH_OPEN_EXCEPTIONS must be an integer of at least 60000 (the deep page is row 50,001)",
    );
  }
  const database = await createBenchDatabase();
  log(`database ${database.name}`);
  const clients = await openBenchClients(database.url);
  const { app, sql } = clients;
  try {
    const seeded = await timedSeconds(() => seed(sql, settings.open));
    log(
      `inserted ${formatCount(settings.open)} open and ${formatCount(settings.open / 10)} closed exceptions in ${seeded.toFixed(1)} s`,
    );

    const now = new Date();
    const page = (params: Omit<ListExceptionsParams, "limit">) => async () =>
      (await listExceptions(app.db, { ...params, limit: PAGE, now })).rows.length;
    const filtered = { type: "erp_posting_failed" as const, entity: "ACME-DE", minAmount: 1000 };
    const deepKey = await keyAtRow(sql, 50_000);

    const plans = {
      first: await plan(sql, `order by x.opened_at, x.id`, ""),
      filtered: await plan(
        sql,
        `order by x.opened_at, x.id`,
        `and x.type = 'erp_posting_failed' and x.entity = 'ACME-DE' and closeline_amount_size(x.amount_minor, x.currency) >= 1000`,
      ),
    };
    log(`plan, first page:    ${plans.first}`);
    log(`plan, filtered page: ${plans.filtered}`);

    const timings: Timing[] = [];
    timings.push(await measure("first page, oldest first", page({})));
    timings.push(
      await measure("first page as the browser gets it", async () => {
        const result = await loadQueuePage(app.db, loadQueueParams({}), null, now);
        return result.items.length;
      }),
    );
    timings.push(
      await measure("tab counts, all open (7 types, capped at 1,000)", async () => {
        const result = await loadQueueCounts(app.db, loadQueueParams({}), null, now);
        return Object.keys(result.byType).length;
      }),
    );
    timings.push(await measure("first page, most severe first", page({ sort: "severity" })));
    timings.push(await measure("first page, largest amount first", page({ sort: "amount" })));
    timings.push(await measure("filtered: type + entity + amount ≥ 1,000", page(filtered)));
    timings.push(
      await measure("filtered page as the browser gets it", async () => {
        const params = loadQueueParams({
          type: "erp_posting_failed",
          entity: "ACME-DE",
          min: "1000",
        });
        return (await loadQueuePage(app.db, params, null, now)).items.length;
      }),
    );
    timings.push(
      await measure("tab counts, one entity (the shell's filter)", async () => {
        const params = loadQueueParams({ entity: "ACME-DE" });
        return Object.keys((await loadQueueCounts(app.db, params, null, now)).byType).length;
      }),
    );
    timings.push(
      await measure("tab counts, entity + amount ≥ 1,000", async () => {
        const params = loadQueueParams({ entity: "ACME-DE", min: "1000" });
        return Object.keys((await loadQueueCounts(app.db, params, null, now)).byType).length;
      }),
    );
    timings.push(await measure("deep page (rows 50,001–50,050), keyset", page({ after: deepKey })));
    timings.push(
      await measure("deep page (rows 50,001–50,050), OFFSET [baseline]", async () => {
        const rows = await sql`
          select x.id, x.title, x.opened_at from exceptions x left join users u on u.id = x.owner_id
          where x.status in ('open', 'in_progress', 'awaiting_approval')
          order by x.opened_at, x.id offset 50000 limit ${PAGE}`;
        return rows.length;
      }),
    );
    report(timings);
  } finally {
    await clients.close();
    await database.drop();
  }
}

/** One INSERT … SELECT from generate_series: types, entities, currencies, amounts, ages and owners spread like a real queue. */
async function seed(sql: postgres.Sql, open: number): Promise<void> {
  await sql`insert into users (email, name, role) values
    ('ana@bench.test', 'Ana', 'operations'), ('ben@bench.test', 'Ben', 'operations'), ('cy@bench.test', 'Cy', 'finance')`;
  const closed = Math.floor(open / 10);
  await sql`
    with owners as (select array_agg(id order by email) as ids from users)
    insert into exceptions (type, problem_key, status, severity, title, entity, amount_minor, currency,
      owner_id, invoice_id, opened_at, updated_at, closed_at, closed_by, details)
    select
      (array['erp_posting_failed', 'invoice_disputed', 'reconciliation_break', 'entitlement_out_of_sync',
             'retroactive_amendment', 'usage_incomplete', 'event_rejected'])[1 + (i * 5) % 7],
      'bench-' || i,
      case when i > ${open} then 'resolved'
           else (array['open', 'open', 'open', 'open', 'in_progress', 'awaiting_approval'])[1 + i % 6] end,
      (array['low', 'medium', 'medium', 'high', 'critical'])[1 + (i * 13) % 5],
      'Bench exception ' || i,
      (array['ACME-US', 'ACME-DE', 'ACME-UK', 'ACME-JP', 'ACME-FR'])[1 + (i / 3) % 5],
      case when i % 9 = 0 then null else (i::bigint * 7919) % 25000000 end,
      (array['USD', 'EUR', 'GBP', 'JPY', 'EUR'])[1 + (i / 3) % 5],
      case when i % 10 < 3 then (select ids[1 + i % 3] from owners) end,
      'INV-' || i,
      now() - make_interval(secs => (i::bigint * 7919) % (120 * 86400)),
      now(),
      case when i > ${open} then now() end,
      case when i > ${open} then 'system' end,
      '{}'::jsonb
    from generate_series(1, ${open + closed}) as i`;
  // As autovacuum would have by the time a queue is this long: statistics and the visibility
  // map (without it no scan is index-only and the planner prices indexes differently).
  await sql`vacuum analyze exceptions`;
}

/** The key of the row at `offset` in the default order, as a keyset cursor would carry it. */
async function keyAtRow(sql: postgres.Sql, offset: number): Promise<ExceptionKey> {
  const [row] = await sql<{ id: string; opened_at: string }[]>`
    select x.id, to_char(x.opened_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as opened_at
    from exceptions x where x.status in ('open', 'in_progress', 'awaiting_approval')
    order by x.opened_at, x.id offset ${offset - 1} limit 1`;
  if (!row) throw new Error(`no row at ${offset}`);
  return { sortKey: null, openedAt: row.opened_at, id: row.id };
}

/** The scan nodes of a page's plan, to see (and check) that it reads an index, not the table. */
async function plan(sql: postgres.Sql, order: string, filter: string): Promise<string> {
  const rows = await sql.unsafe<{ "QUERY PLAN": string }[]>(
    `explain select x.id from exceptions x
     where x.status in ('open', 'in_progress', 'awaiting_approval') ${filter} ${order} limit ${PAGE + 1}`,
  );
  const nodes = rows.map((r) => r["QUERY PLAN"]).filter((line) => /Scan|Sort/.test(line));
  const summary = nodes
    .map((line) => line.replace(/\s*\(cost=.*$/, "").replace(/^[\s->]+/, ""))
    .join(" ← ");
  if (!/Index (Only )?Scan/.test(summary) || /Seq Scan|Sort/.test(summary)) {
    throw new Error(`the queue page is not an ordered index scan: ${summary}`);
  }
  return summary;
}

function report(timings: Timing[]): void {
  const baseline = timings.find((t) => t.name.includes("[baseline]"))!;
  const rows = timings.map((t) => [
    t.name,
    String(t.rows),
    t.p50.toFixed(2),
    t.p95.toFixed(2),
    `${(baseline.p50 / t.p50).toFixed(1)}×`,
  ]);
  console.log("");
  console.log(
    formatTable(["query", ">rows", ">p50 ms", ">p95 ms", ">OFFSET p50 / this p50"], rows)
      .split("\n")
      .map((line) => `  ${line}`)
      .join("\n"),
  );
  console.log("");
  const browser = timings.filter((t) => t.name.includes("as the browser gets it"));
  const worst = Math.max(...browser.map((t) => t.p95));
  log(
    `${BENCH_RUNS} runs each after ${WARMUP} warm-up; queue pages as the browser gets them, worst p95 ${worst.toFixed(1)} ms — target ≤ ${TARGET_P95_MS} ms ${
      worst <= TARGET_P95_MS ? "met" : "NOT met"
    } (${os.cpus().length} CPUs, ${os.loadavg()[0]!.toFixed(1)} load)`,
  );
  if (worst > TARGET_P95_MS)
    throw new Error(`queue page p95 ${worst.toFixed(1)} ms exceeds ${TARGET_P95_MS} ms`);
}
