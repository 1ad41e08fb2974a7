import "server-only";
import path from "node:path";
import fs from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { buildIndexesConcurrently, buildIndexesInline } from "./concurrent-indexes";
import { listenOnEmbeddedSocket } from "./embedded-socket";
import { migrateSchema } from "./migrate";
import { primaryOnly, replicaRouter, type ReadRouter } from "./replicas";
import * as schema from "./schema";
// Instants read back as the instant stored, whatever the year (db/instant.ts).
import "./instant";
import { ADVISORY_LOCKS } from "./advisory-locks";

/** The drizzle database, whichever engine is underneath; a transaction is one too. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export type DbTarget =
  | {
      kind: "postgres";
      url: string;
      maxConnections?: number;
      /** A Unix socket to connect through instead of the URL's host (db/embedded-socket.ts). */
      socketPath?: string;
      /** Streaming replicas that may serve reads (db/replicas.ts, docs/replicas.md). */
      replicas?: { urls: string[]; maxLagSeconds: number };
      /**
       * false: no named prepared statements, for a pooler that hands each transaction another
       * server connection (withPreparedStatements, db/rows.ts). Absent: true.
       */
      preparedStatements?: boolean;
    }
  | {
      kind: "pglite";
      dataDir: string | null;
      /** Also serve the wire protocol on this Unix socket (db/embedded-socket.ts). */
      listenSocket?: string;
    };

export interface DbHandle {
  /** The primary: every write, and every read that must see the latest writes. */
  db: Db;
  /**
   * Chooses where a read that may lag a little runs: a streaming replica when one qualifies,
   * else the primary. Without replicas (and always on PGlite) it is the primary.
   */
  reads: ReadRouter;
  target: DbTarget;
  /**
   * Settles once the indexes built after the migrations (db/concurrent-indexes.ts) are in
   * place. On PostgreSQL they are built while the database is already in use; a failure is
   * logged, and the next start builds them again.
   */
  indexesBuilt: Promise<void>;
  close(): Promise<void>;
}

const MIGRATION_LOCK_ID = ADVISORY_LOCKS.migration;

/**
 * Opens a database and brings its schema up to date. The app does this once per process
 * (db/index.ts); tests and scripts call it with their own target.
 */
export async function openDb(target: DbTarget): Promise<DbHandle> {
  if (target.kind === "postgres") {
    await migratePostgresLocked(target.url, target.socketPath);
    const indexBuild = buildIndexesConcurrently(target.url, target.socketPath);
    indexBuild.done.catch((error: unknown) =>
      console.error("Building indexes after the migrations failed; the next start retries", error),
    );
    const client = postgres(target.url, {
      max: target.maxConnections ?? 10,
      path: target.socketPath,
      prepare: target.preparedStatements !== false,
      onnotice: () => {},
      connection: {
        application_name: "closeline",
        // Every Closeline query is a short, index-driven read or a batch write. JIT compiling
        // pays off only for long CPU-bound scans, and the planner's cost guesses for the KPI
        // queries' per-group reads (a row estimate of 1,000 for generate_series) crossed
        // jit_above_cost: 15–20 ms of compiling in front of a 10 ms query (bench/README.md).
        jit: "off",
        // A dashboard request runs its ~10 KPI queries side by side on the pool; parallel
        // workers then only compete with them for the same cores. With them a month's KPIs
        // took 130-170 ms (p50, 2 CPUs, 11.8 M rows), without 70-85 ms.
        max_parallel_workers_per_gather: "0",
      },
      // Reconnect within a second once the server is back. The driver's default backoff grows
      // with every failed attempt of an outage to 20 s, and a request handed to a connection
      // waiting out its delay waits that long (tests/faults/process/db-restart).
      backoff: (failedAttempts: number) => Math.min(0.1 * 2 ** failedAttempts, 1),
    });
    const db = drizzlePostgres({ client, schema }) as unknown as Db;
    const reads = replicaRouter(db, {
      urls: target.replicas?.urls ?? [],
      maxLagSeconds: target.replicas?.maxLagSeconds ?? 10,
      maxConnections: target.maxConnections,
    });
    return {
      db,
      reads,
      target,
      indexesBuilt: indexBuild.done,
      close: async () => {
        await Promise.all([client.end({ timeout: 5 }), reads.close(), indexBuild.stop()]);
      },
    };
  }

  if (target.dataDir) fs.mkdirSync(target.dataDir, { recursive: true });
  const client = target.dataDir ? await PGlite.create(target.dataDir) : await PGlite.create();
  const db = drizzlePglite({ client, schema }) as unknown as Db;
  // PGlite lives inside this process, so nothing else can be migrating it at the same time.
  await migrateSchema(db);
  await buildIndexesInline(client);
  const socket = target.listenSocket
    ? await listenOnEmbeddedSocket(client, target.listenSocket)
    : null;
  return {
    db,
    // Replicas are PostgreSQL's streaming replication; the embedded database has none.
    reads: primaryOnly(db),
    target,
    indexesBuilt: Promise.resolve(),
    close: async () => {
      await socket?.close();
      await client.close();
    },
  };
}

/**
 * Two app instances may start together on one server: the advisory lock makes the second
 * wait for the first instead of both creating the same tables or replacing the same
 * functions and triggers.
 */
async function migratePostgresLocked(url: string, socketPath?: string): Promise<void> {
  const client = postgres(url, { max: 1, path: socketPath, onnotice: () => {} });
  try {
    await client`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
    await migrateSchema(drizzlePostgres({ client }) as unknown as Db);
    await client`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`;
  } finally {
    await client.end({ timeout: 5 });
  }
}

export function targetFromEnv(e: {
  DATABASE_URL?: string;
  DATABASE_REPLICA_URL?: string[];
  DATABASE_REPLICA_MAX_LAG_SECONDS?: number;
  DATABASE_PREPARED_STATEMENTS?: "on" | "off";
  CLOSELINE_DATA_DIR: string;
}): DbTarget {
  if (!e.DATABASE_URL)
    return { kind: "pglite", dataDir: path.resolve(e.CLOSELINE_DATA_DIR, "pglite") };
  const urls = e.DATABASE_REPLICA_URL ?? [];
  return {
    kind: "postgres",
    url: e.DATABASE_URL,
    ...(urls.length > 0
      ? { replicas: { urls, maxLagSeconds: e.DATABASE_REPLICA_MAX_LAG_SECONDS ?? 10 } }
      : {}),
    ...(e.DATABASE_PREPARED_STATEMENTS === "off" ? { preparedStatements: false } : {}),
  };
}
