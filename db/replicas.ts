import "server-only";
import { sql } from "drizzle-orm";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { isTransientDatabaseError } from "@/lib/errors";
import type { Db } from "./client";
import { queryRows } from "./rows";
import * as schema from "./schema";

/*
 * Reads that may be served by PostgreSQL streaming replicas (docs/replicas.md). Writes, and
 * reads that must see a write, use the primary; a read that may be a little behind asks for
 * a `ReadSource` and gets a replica that is streaming, not too far behind and has replayed at
 * least the caller's last write, or the primary when none qualifies. A replica that is down
 * or fails a query costs the request nothing: the query runs again on the primary.
 */

/** A position in the write-ahead log, as PostgreSQL's pg_lsn type orders them. */
export type WalPosition = bigint;

/** `16/B374D848` (pg_lsn's text) as a comparable number; null for anything else. */
export function parseWalPosition(text: string | null | undefined): WalPosition | null {
  const match = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text ?? "");
  return match ? (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`) : null;
}

export function formatWalPosition(position: WalPosition): string {
  return `${(position >> 32n).toString(16).toUpperCase()}/${(position & 0xffffffffn).toString(16).toUpperCase()}`;
}

/** Where a read was served from. */
export interface ServedFrom {
  /** `host:port` of the replica, or null for the primary. */
  replica: string | null;
  /**
   * For a replica still replaying: the commit time of the last transaction it has replayed,
   * so the data is complete up to then. Null when the data is current (the primary, or a
   * replica that had replayed all the primary had written when it was last checked).
   */
  asOf: Date | null;
  /** How far behind that is, in seconds (0 when current). */
  lagSeconds: number;
}

export interface Served<T> {
  value: T;
  from: ServedFrom;
}

/** The position a read must see, known or to be looked up; null: any. */
export type ReadAfter = WalPosition | null | (() => Promise<WalPosition | null>);

export interface ReadRouter {
  /** Whether any replica is configured: without one every read is the primary's. */
  readonly hasReplicas: boolean;
  /**
   * Runs a read-only `fn` on a replica that qualifies, else on the primary. `after`: the
   * WAL position of the caller's last write (from `writePosition`), which the replica must
   * have replayed; or a function that finds it, called only when some replica is up and
   * close enough behind to serve the read (else the primary serves it, without asking).
   */
  read<T>(fn: (db: Db) => Promise<T>, after?: ReadAfter): Promise<Served<T>>;
  /**
   * Called after a write committed: a WAL position at or past its commit record. Null when
   * there is no replica (nothing to wait for).
   */
  writePosition(): Promise<WalPosition | null>;
  close(): Promise<void>;
}

const PRIMARY: ServedFrom = { replica: null, asOf: null, lagSeconds: 0 };

/** Every read on the primary: no replica configured, or the embedded database. */
export function primaryOnly(primary: Db): ReadRouter {
  return {
    hasReplicas: false,
    read: async (fn) => ({ value: await fn(primary), from: PRIMARY }),
    writePosition: async () => null,
    close: async () => {},
  };
}

export interface ReplicaOptions {
  urls: string[];
  /** A replica further behind than this is skipped. */
  maxLagSeconds: number;
  /** How long a replica's state (up, replayed position, lag) is trusted before asking again. */
  healthTtlMs?: number;
  /** How long connecting to a replica, or asking for its state, may take before it counts as down. */
  connectTimeoutSeconds?: number;
  maxConnections?: number;
}

interface ReplicaState {
  checkedAt: number;
  up: boolean;
  replayed: WalPosition | null;
  /** Everything the primary had written when the state was taken is replayed. */
  current: boolean;
  replayedAt: Date | null;
  lagSeconds: number;
}

interface Replica {
  label: string;
  client: postgres.Sql;
  db: Db;
  state: ReplicaState | null;
  checking: Promise<ReplicaState> | null;
}

const DOWN: Omit<ReplicaState, "checkedAt"> = {
  up: false,
  replayed: null,
  current: false,
  replayedAt: null,
  lagSeconds: Number.POSITIVE_INFINITY,
};

/*
 * The router opened with each primary, so that code handed the primary (a route's `db`) finds
 * its replicas without a second parameter. A transaction is not registered: reads inside
 * one stay in it, on the primary. The map is shared through globalThis, like the database
 * handle (db/index.ts): Next bundles the instrumentation hook, which opens the database, and
 * the route handlers separately, each with its own copy of this module, and a map of the
 * module's own left every route reading from the primary alone.
 */
const globalForRouters = globalThis as unknown as {
  closelineReadRouters?: WeakMap<Db, ReadRouter>;
};
const routers = (globalForRouters.closelineReadRouters ??= new WeakMap<Db, ReadRouter>());

/** The replicas that serve reads for this primary; the primary itself when it has none. */
export function readRouterFor(primary: Db): ReadRouter {
  return routers.get(primary) ?? primaryOnly(primary);
}

export function replicaRouter(primary: Db, options: ReplicaOptions): ReadRouter {
  if (options.urls.length === 0) return primaryOnly(primary);
  const ttlMs = options.healthTtlMs ?? 2_000;
  const timeoutSeconds = options.connectTimeoutSeconds ?? 1;
  const replicas: Replica[] = options.urls.map((url) => {
    const client = postgres(url, {
      max: options.maxConnections ?? 10,
      connect_timeout: timeoutSeconds,
      onnotice: () => {},
      // The same session settings as the primary's pool (db/client.ts). While a replica is
      // down its reads are the primary's; its connections retry quickly for when it is back.
      connection: {
        application_name: "closeline-read",
        jit: "off",
        max_parallel_workers_per_gather: "0",
      },
      backoff: () => 0.1,
    });
    const parsed = new URL(url);
    return {
      label: `${parsed.hostname}:${parsed.port || "5432"}`,
      client,
      db: drizzlePostgres({ client, schema }) as unknown as Db,
      state: null,
      checking: null,
    };
  });
  let turn = 0;

  async function primaryPosition(): Promise<WalPosition> {
    const rows = await queryRows<{ lsn: string }>(
      primary,
      sql`select pg_current_wal_lsn()::text as lsn`,
    );
    const position = parseWalPosition(rows[0]?.lsn);
    if (position === null) throw new Error("the primary answered no WAL position");
    return position;
  }

  /*
   * Lag is measured against the primary, not by the replica's clock alone: a replica that has
   * replayed what the primary had written when asked is current, however long ago its last
   * transaction was (now() - pg_last_xact_replay_timestamp() grows on an idle primary). One
   * that has not is as old as the last transaction it replayed.
   */
  async function check(replica: Replica): Promise<ReplicaState> {
    const checkedAt = Date.now();
    try {
      const target = await primaryPosition();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`replica ${replica.label} did not answer`)),
          timeoutSeconds * 1_000,
        );
      });
      const [row] = await Promise.race([
        replica.client<
          {
            recovering: boolean;
            replayed: string | null;
            replayedAtMs: number | null;
            lagSeconds: number | null;
          }[]
        >`
          select pg_is_in_recovery() as recovering, pg_last_wal_replay_lsn()::text as replayed,
                 (extract(epoch from pg_last_xact_replay_timestamp()) * 1000)::float8 as "replayedAtMs",
                 extract(epoch from now() - pg_last_xact_replay_timestamp())::float8 as "lagSeconds"`,
        timeout,
      ]).finally(() => clearTimeout(timer));
      const replayed = parseWalPosition(row?.replayed);
      // A server that is not in recovery is no replica (a promoted one is a primary of its own).
      if (!row?.recovering || replayed === null) return { ...DOWN, checkedAt };
      const current = replayed >= target;
      const replayedAt = row.replayedAtMs === null ? null : new Date(row.replayedAtMs);
      const lagSeconds = current ? 0 : Math.max(0, row.lagSeconds ?? Number.POSITIVE_INFINITY);
      return { checkedAt, up: true, replayed, current, replayedAt, lagSeconds };
    } catch {
      return { ...DOWN, checkedAt };
    }
  }

  async function stateOf(replica: Replica): Promise<ReplicaState> {
    if (replica.state && Date.now() - replica.state.checkedAt < ttlMs) return replica.state;
    replica.checking ??= check(replica).then((state) => {
      replica.state = state;
      replica.checking = null;
      return state;
    });
    return replica.checking;
  }

  function qualifies(state: ReplicaState, atLeast: WalPosition | null): boolean {
    if (!state.up || state.replayed === null) return false;
    if (atLeast !== null && state.replayed < atLeast) return false;
    // "More than N seconds behind" is skipped; with N = 0, any replica not yet current is.
    return state.current || state.lagSeconds < options.maxLagSeconds;
  }

  function markDown(replica: Replica) {
    replica.state = { ...DOWN, checkedAt: Date.now() };
  }

  const router: ReadRouter = {
    hasReplicas: true,
    async read(fn, after = null) {
      const states = await Promise.all(replicas.map(stateOf));
      let eligible = replicas
        .map((replica, index) => ({ replica, state: states[index]! }))
        .filter(({ state }) => qualifies(state, null));
      if (eligible.length > 0 && after !== null) {
        // Replay only moves forward: a replica that had replayed the position when its state
        // was taken still has, whenever the position is looked up.
        const atLeast = typeof after === "function" ? await after() : after;
        eligible = eligible.filter(({ state }) => qualifies(state, atLeast));
      }
      if (eligible.length > 0) {
        const { replica, state } = eligible[turn++ % eligible.length]!;
        try {
          return {
            value: await fn(replica.db),
            from: {
              replica: replica.label,
              asOf: state.current ? null : state.replayedAt,
              lagSeconds: state.lagSeconds,
            },
          };
        } catch (error) {
          // Down since it was last checked, or a query cancelled by replay (a recovery
          // conflict): the primary answers instead, and the replica waits for its next check.
          if (!isTransientDatabaseError(error)) throw error;
          markDown(replica);
        }
      }
      return { value: await fn(primary), from: PRIMARY };
    },
    writePosition: primaryPosition,
    close: async () => {
      // Another router opened for the same primary since (a test's) stays registered.
      if (routers.get(primary) === router) routers.delete(primary);
      await Promise.all(replicas.map((replica) => replica.client.end({ timeout: 5 })));
    },
  };
  routers.set(primary, router);
  return router;
}
