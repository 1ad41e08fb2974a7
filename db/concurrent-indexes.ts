import "server-only";
import type { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";
import { ADVISORY_LOCKS } from "./advisory-locks";

/*
 * Indexes on the tables that grow with telemetry (events, rejected_events, the projections,
 * the KPI tables, audit_log), added after those tables were first released. A migration runs
 * in the migrator's one transaction, where CREATE INDEX holds a lock that stops every insert
 * into its table until the whole index is built: minutes of refused ingestion on a large
 * install. These are built after the migrations instead, CONCURRENTLY on PostgreSQL (inserts
 * go on meanwhile), plainly on PGlite (one process; its tables are small). The rule for new
 * migrations is in docs/reliability.md ("Schema changes on a live install").
 *
 * Each entry is a name, a table and what follows `ON "table"`, as drizzle-kit would write it;
 * the schema (db/schema) declares the same index, so a fresh install and an upgraded one end
 * equal (tests/db/upgrade.test.ts).
 */
export interface ConcurrentIndex {
  name: string;
  table: string;
  definition: string;
}

export const CONCURRENT_INDEXES: readonly ConcurrentIndex[] = [
  // Ingestion health per source and type (migration 0028 until it was built here).
  {
    name: "events_source_type_received_idx",
    table: "events",
    definition: `USING btree ("source","type","received_at")`,
  },
  // The revenue thread: an invoice's payments, a customer's payments and amendments.
  { name: "payments_invoice_idx", table: "payments", definition: `USING btree ("invoice_id")` },
  {
    name: "payments_customer_idx",
    table: "payments",
    definition: `USING btree ("customer_id","received_at")`,
  },
  {
    name: "contract_amendments_customer_idx",
    table: "contract_amendments",
    definition: `USING btree ("customer_id","amended_at")`,
  },
  // Search: an event by its CloudEvent id or a prefix of it, whatever its source.
  { name: "events_event_id_idx", table: "events", definition: `USING btree ("event_id")` },
];

const INDEX_BUILD_LOCK_ID = ADVISORY_LOCKS.indexBuild;

const createIndex = (index: ConcurrentIndex, concurrently: boolean) =>
  `CREATE INDEX ${concurrently ? "CONCURRENTLY " : ""}IF NOT EXISTS "${index.name}" ON "${index.table}" ${index.definition}`;

/** PGlite: one process, so a plain build; it is transactional, so never left half-built. */
export async function buildIndexesInline(client: PGlite): Promise<void> {
  for (const index of CONCURRENT_INDEXES) await client.exec(createIndex(index, false));
}

/** The listed indexes that are missing, or present but INVALID (a concurrent build was interrupted). */
async function pendingIndexes(sql: postgres.Sql) {
  const rows = await sql<{ name: string; state: "missing" | "invalid" | "valid" }[]>`
    select n.name, case when i.indexrelid is null then 'missing'
                        when i.indisvalid then 'valid' else 'invalid' end as state
    from unnest(${CONCURRENT_INDEXES.map((index) => index.name)}::text[]) as n(name)
    left join pg_index i on i.indexrelid = to_regclass(quote_ident(n.name))`;
  const states = new Map(rows.map((row) => [row.name, row.state]));
  return CONCURRENT_INDEXES.flatMap((index) => {
    const state = states.get(index.name);
    return state && state !== "valid" ? [{ ...index, invalid: state === "invalid" }] : [];
  });
}

export interface IndexBuild {
  /** Settles when every listed index is built and valid, or another process is building them. */
  done: Promise<void>;
  /** Closes the build's connection; a build cut short leaves an INVALID index, rebuilt next time. */
  stop(): Promise<void>;
}

/**
 * PostgreSQL: builds the missing indexes CONCURRENTLY on a connection of their own, outside
 * any transaction. Not awaited by the caller: the process serves, and ingests, meanwhile.
 *
 * One process builds at a time, under a session lock taken with pg_try_advisory_lock: a
 * concurrent build waits for every transaction older than it, so a second process waiting
 * in pg_advisory_lock (itself a transaction) while the first builds would deadlock with it.
 * A process that does not get the lock leaves the work to the one that has it, which is
 * also why only the lock holder may drop an INVALID index: otherwise it may be a build in
 * progress.
 */
export function buildIndexesConcurrently(url: string, socketPath?: string): IndexBuild {
  const sql = postgres(url, {
    max: 1,
    path: socketPath,
    onnotice: () => {},
    connection: { application_name: "closeline index build" },
  });
  const build = async () => {
    if ((await pendingIndexes(sql)).length === 0) return;
    const [lock] = await sql<{ locked: boolean }[]>`
      select pg_try_advisory_lock(${INDEX_BUILD_LOCK_ID}) as locked`;
    if (!lock?.locked) return;
    try {
      // Read again under the lock: the previous holder may have built them since.
      for (const index of await pendingIndexes(sql)) {
        if (index.invalid) await sql.unsafe(`DROP INDEX CONCURRENTLY IF EXISTS "${index.name}"`);
        await sql.unsafe(createIndex(index, true));
      }
    } finally {
      await sql`select pg_advisory_unlock(${INDEX_BUILD_LOCK_ID})`;
    }
  };
  let stopped = false;
  const done = build()
    .catch((error: unknown) => {
      if (!stopped) throw error;
    })
    .finally(() => sql.end({ timeout: 5 }));
  const stop = () => {
    stopped = true;
    return sql.end({ timeout: 0 });
  };
  return { done, stop };
}
