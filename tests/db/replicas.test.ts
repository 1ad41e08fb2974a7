import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { targetFromEnv } from "@/db/client";
import { formatWalPosition, parseWalPosition, replicaRouter, type ReadRouter } from "@/db/replicas";
import { queryRows } from "@/db/rows";
import { parseEnv } from "@/lib/env";
import { TEST_ENGINE, testDbForSuite } from "../support/db";
import {
  REPLICA_REQUIRED,
  pauseReplay,
  primaryPosition,
  replayedTo,
  replicaServer,
  replicaUnavailable,
  replicaUrlOf,
  resumeReplay,
} from "../support/replica";

/*
 * Reads routed to a real streaming replica (scripts/ensure-replica.sh): a second PostgreSQL
 * cluster on this machine, replaying the test server's WAL. Replay is paused, not waited
 * for, to make a replica fall behind.
 */

describe("configuration", () => {
  it("reads one or several replica URLs, and has none without them", () => {
    const none = parseEnv({ DATABASE_URL: "postgres://p@db/x" });
    expect(none.DATABASE_REPLICA_URL).toEqual([]);
    expect(targetFromEnv(none)).toEqual({ kind: "postgres", url: "postgres://p@db/x" });
    const two = parseEnv({
      DATABASE_URL: "postgres://p@db/x",
      DATABASE_REPLICA_URL: "postgres://p@r1/x, postgres://p@r2:6432/x",
      DATABASE_REPLICA_MAX_LAG_SECONDS: "4",
    });
    expect(targetFromEnv(two)).toMatchObject({
      kind: "postgres",
      replicas: { urls: ["postgres://p@r1/x", "postgres://p@r2:6432/x"], maxLagSeconds: 4 },
    });
    expect(() => parseEnv({ DATABASE_REPLICA_URL: "http://r1/x" })).toThrow(/DATABASE_REPLICA_URL/);
  });

  it("ignores replicas on the embedded database", () => {
    const e = parseEnv({ DATABASE_REPLICA_URL: "postgres://p@r1/x" });
    expect(targetFromEnv(e).kind).toBe("pglite");
    expect(targetFromEnv(e)).not.toHaveProperty("replicas");
  });

  it("orders WAL positions as PostgreSQL does", () => {
    expect(parseWalPosition("0/16B6C50")).toBe(0x16b6c50n);
    expect(parseWalPosition("1/0")! > parseWalPosition("0/FFFFFFFF")!).toBe(true);
    expect(formatWalPosition(parseWalPosition("1A/B374D848")!)).toBe("1A/B374D848");
    expect(parseWalPosition("16B6C50")).toBeNull();
  });
});

const unavailable =
  TEST_ENGINE === "postgres" ? await replicaUnavailable() : "PGlite has no replicas";
if (unavailable && TEST_ENGINE === "postgres") {
  if (REPLICA_REQUIRED) throw new Error(`CLOSELINE_REQUIRE_REPLICA is set, but ${unavailable}`);
  console.warn(`Skipping the streaming-replica tests: ${unavailable}`);
}

describe.skipIf(unavailable !== null)("reads on a streaming replica", () => {
  const database = testDbForSuite();
  const routers: ReadRouter[] = [];

  function router(options: { maxLagSeconds?: number; healthTtlMs?: number } = {}): ReadRouter {
    const made = replicaRouter(database.db, {
      urls: [replicaUrlOf(database.url!)],
      maxLagSeconds: options.maxLagSeconds ?? 3_600,
      // Checked on every read unless a test is about the cached state.
      healthTtlMs: options.healthTtlMs ?? 0,
    });
    routers.push(made);
    return made;
  }

  const inRecovery = async (db: Db) =>
    (await queryRows<{ r: boolean }>(db, sql`select pg_is_in_recovery() as r`))[0]!.r;
  const notes = async (db: Db) =>
    (await queryRows<{ note: string }>(db, sql`select note from replica_probe order by note`)).map(
      (row) => row.note,
    );
  const write = (note: string) =>
    database.db.execute(sql`insert into replica_probe (note) values (${note})`);

  beforeAll(async () => {
    await database.db.execute(sql`create table replica_probe (note text primary key)`);
    await write("before");
    await replayedTo(await primaryPosition(database.db));
  });

  afterAll(async () => {
    await Promise.all(routers.map((made) => made.close()));
    // Whatever a failed test left behind: the replica streams and replays again.
    await replicaServer("start");
    await resumeReplay();
  });

  it("serves reads from the replica and writes on the primary", async () => {
    const reads = router();
    const served = await reads.read(inRecovery);
    expect(served.value).toBe(true);
    expect(served.from).toEqual({ replica: "127.0.0.1:5433", asOf: null, lagSeconds: 0 });
    expect(await inRecovery(database.db)).toBe(false);

    await write("written");
    await replayedTo(await primaryPosition(database.db));
    expect((await reads.read(notes)).value).toEqual(["before", "written"]);
  });

  it("skips a replica further behind than the setting, and says how far behind one is", async () => {
    await pauseReplay();
    try {
      await write("unreplayed");
      const strict = await router({ maxLagSeconds: 0 }).read(notes);
      expect(strict.from.replica).toBeNull();
      expect(strict.value).toContain("unreplayed");

      const lenient = await router({ maxLagSeconds: 3_600 }).read(notes);
      expect(lenient.from.replica).toBe("127.0.0.1:5433");
      expect(lenient.value).not.toContain("unreplayed");
      expect(lenient.from.lagSeconds).toBeGreaterThan(0);
      expect(lenient.from.asOf).toBeInstanceOf(Date);
      expect(lenient.from.asOf!.getTime()).toBeLessThanOrEqual(Date.now());
    } finally {
      await resumeReplay();
    }
  });

  it("reads the primary for a caller whose write the replica has not replayed yet", async () => {
    const reads = router();
    await pauseReplay();
    let written: bigint | null = null;
    try {
      await write("mine");
      written = await reads.writePosition();
      expect(written).not.toBeNull();
      const mine = await reads.read(notes, written);
      expect(mine.from.replica).toBeNull();
      expect(mine.value).toContain("mine");
      // Anyone else still reads the replica, a little behind.
      const others = await reads.read(notes);
      expect(others.from.replica).toBe("127.0.0.1:5433");
      expect(others.value).not.toContain("mine");
    } finally {
      await resumeReplay();
    }
    if (written === null) throw new Error("the primary answered no WAL position");
    await replayedTo(written);
    const replayed = await reads.read(notes, written);
    expect(replayed.from.replica).toBe("127.0.0.1:5433");
    expect(replayed.value).toContain("mine");
  });

  it("falls back to the primary, without an error, while the replica is stopped", async () => {
    const checkedEachTime = router();
    // Trusts its last check for a minute: the replica is found down by a failing query.
    const cached = router({ healthTtlMs: 60_000 });
    expect((await cached.read(inRecovery)).from.replica).toBe("127.0.0.1:5433");

    await replicaServer("stop");
    try {
      for (const reads of [cached, checkedEachTime]) {
        const served = await reads.read(notes);
        expect(served.from.replica).toBeNull();
        expect(served.value).toContain("before");
        expect(await inRecovery(database.db)).toBe(false);
      }
    } finally {
      await replicaServer("start");
    }
    const back = await checkedEachTime.read(inRecovery);
    expect(back).toMatchObject({ value: true, from: { replica: "127.0.0.1:5433" } });
  });
});
