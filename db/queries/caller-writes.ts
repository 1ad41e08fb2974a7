import "server-only";
import { sql } from "drizzle-orm";
import type { Db } from "../client";
import { queryRows } from "../rows";

/*
 * The last write of each bearer-token caller, kept on the primary so that every app instance
 * knows it (docs/replicas.md, "Read-your-writes"). Both statements are one primary-key access
 * to a small unlogged table.
 */

/**
 * Records that `caller` has just written and returns the position to read after: the
 * primary's WAL position now, which is past the write's commit record (the write committed
 * before this statement began). A later position already recorded (a concurrent write of the
 * same caller on another instance) is kept.
 */
export async function recordCallerWrite(
  db: Db,
  caller: string,
  ttlSeconds: number,
): Promise<string | null> {
  const [row] = await queryRows<{ position: string }>(
    db,
    sql`insert into caller_write_positions as kept (caller, position, expires_at)
        values (${caller}, pg_current_wal_lsn(), now() + make_interval(secs => ${ttlSeconds}))
        on conflict (caller) do update
          set position = greatest(kept.position, excluded.position), expires_at = excluded.expires_at
        returning kept.position::text as position`,
  );
  return row?.position ?? null;
}

/** The position `caller` last wrote at, while it matters; null when it wrote nothing lately. */
export async function lastCallerWrite(db: Db, caller: string): Promise<string | null> {
  const [row] = await queryRows<{ position: string }>(
    db,
    sql`select position::text as position from caller_write_positions
        where caller = ${caller} and expires_at > now()`,
  );
  return row?.position ?? null;
}

/** Deletes the markers that have expired; returns how many. */
export async function pruneCallerWrites(db: Db): Promise<number> {
  const [row] = await queryRows<{ deleted: string | number }>(
    db,
    sql`with gone as (delete from caller_write_positions where expires_at <= now() returning 1)
        select count(*) as deleted from gone`,
  );
  return Number(row?.deleted ?? 0);
}
