import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { openDb, type Db, type DbHandle } from "@/db/client";
import type { ApiKeyScope } from "@/db/schema";
import { createApiKey } from "@/lib/auth/api-keys";
import { onAbort } from "./abort";

/** The local server the benchmark runs against; override with CLOSELINE_BENCH_PG. */
const SERVER_URL = process.env.CLOSELINE_BENCH_PG ?? "postgres://postgres@127.0.0.1:5432/postgres";

export interface BenchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/**
 * A fresh, empty database (`closeline_bench_<random>`), so runs never see each other's rows.
 * An interrupted run drops it, unless `dropOnAbort` is false (a database kept to profile).
 */
export async function createBenchDatabase({ dropOnAbort = true } = {}): Promise<BenchDatabase> {
  const name = `closeline_bench_${randomBytes(5).toString("hex")}`;
  const admin = postgres(SERVER_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  const drop = async () => {
    const dropper = postgres(SERVER_URL, { max: 1, onnotice: () => {} });
    try {
      await dropper.unsafe(`drop database if exists ${name} with (force)`);
    } finally {
      await dropper.end();
    }
  };
  const forget = dropOnAbort ? onAbort(drop) : () => {};
  return {
    name,
    url: url.toString(),
    drop: async () => {
      await drop();
      forget();
    },
  };
}

/** A database an earlier run kept (e.g. BENCH_KPI_KEEP=1), opened as it is and never dropped. */
export function reuseBenchDatabase(name: string): BenchDatabase {
  if (!/^closeline_bench_[0-9a-f]+$/.test(name)) throw new Error(`Not a bench database: ${name}`);
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return { name, url: url.toString(), drop: async () => {} };
}

export interface BenchClients {
  /** The app's own client, migrations applied, for the same lib/ calls the app makes. */
  app: DbHandle;
  /** A raw connection for what the benchmark itself reads and plans. */
  sql: postgres.Sql;
  close(): Promise<void>;
}

/** One app client and one raw connection on a bench database, each a single connection. */
export async function openBenchClients(url: string): Promise<BenchClients> {
  const app = await openDb({ kind: "postgres", url, maxConnections: 1 });
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  return {
    app,
    sql,
    close: async () => {
      await sql.end({ timeout: 5 });
      await app.close();
    },
  };
}

/** An API key for the server under test, made the way `closeline api-key create` makes one. */
export async function createBenchApiKey(
  db: Db,
  name: string,
  scopes: ApiKeyScope[],
  label = "npm run bench",
): Promise<string> {
  return (await createApiKey(db, { name, scopes }, { type: "cli", id: null, label })).key;
}
