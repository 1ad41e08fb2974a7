import { execFile } from "node:child_process";
import path from "node:path";
import postgres from "postgres";
import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { parseWalPosition, type WalPosition } from "@/db/replicas";
import { queryRows } from "@/db/rows";

/*
 * The local streaming replica of the test server that scripts/ensure-replica.sh makes
 * (scripts/test.sh runs it before the suite). Tests that need it skip, saying why, when it
 * cannot be reached, unless CLOSELINE_REQUIRE_REPLICA is set (CI), where they fail instead.
 */
export const REPLICA_SERVER =
  process.env.CLOSELINE_TEST_REPLICA ?? "postgres://postgres@127.0.0.1:5433/postgres";
export const REPLICA_REQUIRED = Boolean(process.env.CLOSELINE_REQUIRE_REPLICA);
const SCRIPT = path.resolve(__dirname, "../../scripts/ensure-replica.sh");

/** Null when the replica streams; otherwise why the replica tests cannot run. */
export async function replicaUnavailable(): Promise<string | null> {
  const client = postgres(REPLICA_SERVER, { max: 1, connect_timeout: 2, onnotice: () => {} });
  try {
    const [row] = await client<{ recovering: boolean }[]>`select pg_is_in_recovery() as recovering`;
    return row?.recovering ? null : `${REPLICA_SERVER} is not a replica (not in recovery)`;
  } catch (error) {
    return `no replica at ${REPLICA_SERVER} (${(error as Error).message}); run \`bash scripts/ensure-replica.sh\``;
  } finally {
    await client.end({ timeout: 1 });
  }
}

/** The replica's copy of the primary database at `primaryUrl`. */
export function replicaUrlOf(primaryUrl: string): string {
  const url = new URL(REPLICA_SERVER);
  url.pathname = new URL(primaryUrl).pathname;
  return url.toString();
}

/** Runs SQL on the replica server's maintenance database (pausing and resuming replay). */
export async function onReplica(statement: string): Promise<void> {
  const client = postgres(REPLICA_SERVER, { max: 1, onnotice: () => {} });
  try {
    await client.unsafe(statement);
  } finally {
    await client.end({ timeout: 1 });
  }
}

export const pauseReplay = () => onReplica("select pg_wal_replay_pause()");
export const resumeReplay = () => onReplica("select pg_wal_replay_resume()");

/** `bash scripts/ensure-replica.sh stop|start` (pg_ctl as the postgres user). */
export function replicaServer(command: "stop" | "start"): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile("bash", [SCRIPT, command], { timeout: 60_000 }, (error, _stdout, stderr) =>
      error
        ? reject(new Error(`ensure-replica.sh ${command}: ${stderr || error.message}`))
        : resolve(),
    ),
  );
}

const REPLAY_WAIT_MS = 120_000;

export async function primaryPosition(primary: Db): Promise<WalPosition> {
  const [row] = await queryRows<{ lsn: string }>(
    primary,
    sql`select pg_current_wal_lsn()::text as lsn`,
  );
  return parseWalPosition(row?.lsn)!;
}

/**
 * Waits (polling) until the replica has replayed the primary's WAL up to `position`. The
 * replica replays every database of this shared server, each test database's creation
 * included, so under a loaded suite it may take a while: two minutes at the most.
 */
export async function replayedTo(position: WalPosition): Promise<void> {
  const client = postgres(REPLICA_SERVER, { max: 1, onnotice: () => {} });
  try {
    const deadline = Date.now() + REPLAY_WAIT_MS;
    while (Date.now() < deadline) {
      const [row] = await client<
        { lsn: string | null }[]
      >`select pg_last_wal_replay_lsn()::text as lsn`;
      const replayed = parseWalPosition(row?.lsn);
      if (replayed !== null && replayed >= position) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(
      `the replica did not replay the primary's WAL within ${REPLAY_WAIT_MS / 1000} s`,
    );
  } finally {
    await client.end({ timeout: 1 });
  }
}
