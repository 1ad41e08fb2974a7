import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Db } from "@/db/client";
import { targetFromEnv } from "@/db/client";
import {
  formatWalPosition,
  parseWalPosition,
  readRouterFor,
  replicaRouter,
  type ReadRouter,
} from "@/db/replicas";
import type * as callerWrites from "@/db/queries/caller-writes";
import { lastCallerWrite, recordCallerWrite } from "@/db/queries/caller-writes";
import { queryRows } from "@/db/rows";
import { parseEnv } from "@/lib/env";
import { handleExceptionAction } from "@/lib/exceptions/api";
import { handleListExceptions } from "@/lib/exceptions/http";
import type { QueuePage } from "@/lib/exceptions/queue";
import { formatTimeOfDay } from "@/lib/format";
import { runAction } from "@/lib/http/action-result";
import {
  READ_AFTER_COOKIE,
  WRITE_POSITION_HEADER,
  asOfWorthShowing,
  readForPage,
} from "@/lib/server/read-routing";
import { answer, apiRequest, serviceKey, tokenFor, type CallOptions } from "../api/support";
import { makeEvent, makeKey, postEvents, type EventsPage } from "../ingest/support";
import { makeUser, seedException } from "../exceptions/support";
import { TEST_ENGINE, testDbForSuite, type TestDb } from "../support/db";
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
 *
 * One file of about 500 lines on purpose: every case shares one paused replica, the mocked
 * session and cookie jar, and the order in which replay is paused and resumed; split across
 * files they would each pause and resume the one replica the whole suite shares, in
 * parallel, and race each other.
 */

// Waiting for the replica to replay may take up to two minutes on a loaded machine.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

// Outside Next.js there is no session cookie: the session is the user a test signs in as.
let signedIn: { id: string; sessionVersion: number } | null = null;
vi.mock("next-auth", async (importOriginal) => ({
  ...(await importOriginal<Record<string, unknown>>()),
  getServerSession: async () => (signedIn ? { user: signedIn } : null),
}));
// A server action's and a page's cookies, as next/headers hands them out inside a request.
const cookieJar = new Map<string, string>();
vi.mock("next/headers", async (importOriginal) => ({
  ...(await importOriginal<Record<string, unknown>>()),
  cookies: async () => ({
    get: (name: string) => (cookieJar.has(name) ? { name, value: cookieJar.get(name) } : undefined),
    set: (name: string, value: string) => void cookieJar.set(name, value),
  }),
}));
type CallerWrites = typeof callerWrites;
// Spied on, to count the lookups and records of a token caller's last write.
vi.mock("@/db/queries/caller-writes", async (importOriginal) => {
  const original = await importOriginal<CallerWrites>();
  return {
    ...original,
    recordCallerWrite: vi.fn(original.recordCallerWrite),
    lastCallerWrite: vi.fn(original.lastCallerWrite),
  };
});
vi.mock("@/db", async (importOriginal) => ({
  ...(await importOriginal<Record<string, unknown>>()),
  getDb: async () => database.db,
}));

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

  it("notes 'as of' only for a replica a second or more behind, to the second", () => {
    const asOf = new Date("2026-12-06T14:05:09.250Z");
    expect(asOfWorthShowing({ replica: null, asOf: null, lagSeconds: 0 })).toBeNull();
    expect(asOfWorthShowing({ replica: "r:5432", asOf, lagSeconds: 0.4 })).toBeNull();
    expect(asOfWorthShowing({ replica: "r:5432", asOf, lagSeconds: 1 })).toBe(asOf.toISOString());
    expect(formatTimeOfDay(asOf)).toBe("14:05:09 UTC");
    expect(formatTimeOfDay(asOf, "Europe/Paris")).toBe("15:05:09 UTC+1");
  });

  it("finds a primary's router from another copy of the module, as a production build's routes do", async () => {
    // Next bundles the instrumentation hook, which opens the database, and the route handlers
    // separately: each has its own copy of db/replicas. Nothing here connects.
    const primary = {} as Db;
    const opened = replicaRouter(primary, { urls: ["postgres://p@r1/x"], maxLagSeconds: 10 });
    try {
      vi.resetModules();
      const routesCopy = await import("@/db/replicas");
      expect(routesCopy.readRouterFor(primary)).toBe(opened);
      expect(routesCopy.readRouterFor(primary).hasReplicas).toBe(true);
    } finally {
      await opened.close();
    }
    expect(readRouterFor(primary).hasReplicas).toBe(false);
  });

  it("orders WAL positions as PostgreSQL does", () => {
    expect(parseWalPosition("0/16B6C50")).toBe(0x16b6c50n);
    expect(parseWalPosition("1/0")! > parseWalPosition("0/FFFFFFFF")!).toBe(true);
    expect(formatWalPosition(parseWalPosition("1A/B374D848")!)).toBe("1A/B374D848");
    expect(parseWalPosition("16B6C50")).toBeNull();
  });
});

describe("without a replica", () => {
  const plain = testDbForSuite();

  it("records and looks up no token caller's write: no query more than before", async () => {
    const ops = await makeUser(plain.db, "operations");
    const token = (await tokenFor(plain.db, ops.id)).key;
    const x = await seedException(plain.db);
    vi.mocked(recordCallerWrite).mockClear();
    vi.mocked(lastCallerWrite).mockClear();
    const started = await answer(
      handleExceptionAction(
        plain.db,
        apiRequest("POST", `/api/v1/exceptions/${x.id}/start`, { token }),
        x.id,
        "start",
      ),
      "POST /api/v1/exceptions/{id}/start",
    );
    expect(started.status).toBe(200);
    expect(started.headers.get(WRITE_POSITION_HEADER)).toBeNull();
    const listed = await answer<QueuePage>(
      handleListExceptions(
        plain.db,
        apiRequest("GET", "/api/v1/exceptions", {
          token,
          headers: { [WRITE_POSITION_HEADER]: "0/1" },
        }),
      ),
      "GET /api/v1/exceptions",
    );
    expect(listed.body.items.find((item) => item.id === x.id)?.status).toBe("in_progress");
    expect(recordCallerWrite).not.toHaveBeenCalled();
    expect(lastCallerWrite).not.toHaveBeenCalled();
    const [row] = await queryRows<{ n: number }>(
      plain.db,
      sql`select count(*)::int as n from caller_write_positions`,
    );
    expect(row?.n).toBe(0);
  });

  it("keeps the markers in an unlogged table: their writes wait for no WAL flush", async () => {
    const [table] = await queryRows<{ persistence: string }>(
      plain.db,
      sql`select relpersistence as persistence from pg_class where relname = 'caller_write_positions'`,
    );
    expect(table?.persistence).toBe("u");
  });
});

const unavailable =
  TEST_ENGINE === "postgres" ? await replicaUnavailable() : "PGlite has no replicas";
if (unavailable && TEST_ENGINE === "postgres") {
  if (REPLICA_REQUIRED) throw new Error(`CLOSELINE_REQUIRE_REPLICA is set, but ${unavailable}`);
  console.warn(`Skipping the streaming-replica tests: ${unavailable}`);
}

// Made only when the replica tests run (PGlite has no replicas to test).
let database: TestDb;

describe.skipIf(unavailable !== null)("on a streaming replica", () => {
  database = testDbForSuite();

  describe("reads", () => {
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
      (
        await queryRows<{ note: string }>(db, sql`select note from replica_probe order by note`)
      ).map((row) => row.note);
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
      // Current, or behind by what the other writers of this shared test server just committed.
      expect(served.from.replica).toBe("127.0.0.1:5433");
      expect(served.from.lagSeconds).toBeLessThan(60);
      expect(await inRecovery(database.db)).toBe(false);

      await write("written");
      await replayedTo(await primaryPosition(database.db));
      expect((await reads.read(notes)).value).toEqual(["before", "written"]);
    });

    it("skips a replica further behind than the setting, and says how far behind one is", async () => {
      await pauseReplay();
      try {
        await write("unreplayed");
        // No replica can serve it: the caller's position is not even looked up.
        const lookup = vi.fn(async () => null);
        const strict = await router({ maxLagSeconds: 0 }).read(notes, lookup);
        expect(strict.from.replica).toBeNull();
        expect(strict.value).toContain("unreplayed");
        expect(lookup).not.toHaveBeenCalled();

        const lenient = await router({ maxLagSeconds: 3_600 }).read(notes, lookup);
        expect(lookup).toHaveBeenCalledTimes(1);
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

  describe("read-your-writes", () => {
    let router: ReadRouter;
    let ops: Awaited<ReturnType<typeof makeUser>>;
    let opsToken: string;
    let readerKey: string;

    beforeAll(async () => {
      router = replicaRouter(database.db, {
        urls: [replicaUrlOf(database.url!)],
        maxLagSeconds: 3_600,
        healthTtlMs: 0,
      });
      ops = await makeUser(database.db, "operations");
      opsToken = (await tokenFor(database.db, ops.id)).key;
      readerKey = (await serviceKey(database.db, ["read"])).key;
    });

    afterAll(async () => {
      signedIn = null;
      await router.close();
      await resumeReplay();
    });

    /** Starts an exception's work as the operations person, through their token. */
    const startWithToken = (id: string) =>
      answer(
        handleExceptionAction(
          database.db,
          apiRequest("POST", `/api/v1/exceptions/${id}/start`, { token: opsToken }),
          id,
          "start",
        ),
        "POST /api/v1/exceptions/{id}/start",
      );

    /**
     * A second app instance: this module graph afresh, with a router of its own and nothing in
     * memory of the first instance's writes.
     */
    async function anotherInstance() {
      vi.resetModules();
      const router = (await import("@/db/replicas")).replicaRouter(database.db, {
        urls: [replicaUrlOf(database.url!)],
        maxLagSeconds: 3_600,
        healthTtlMs: 0,
      });
      return {
        router,
        exceptions: await import("@/lib/exceptions/http"),
        events: await import("@/lib/events/http"),
        writes: await import("@/db/queries/caller-writes"),
      };
    }

    async function queueItem(id: string, options: CallOptions) {
      const listed = await answer<QueuePage>(
        handleListExceptions(database.db, apiRequest("GET", "/api/v1/exceptions", options)),
        "GET /api/v1/exceptions",
      );
      expect(listed.status).toBe(200);
      return listed.body.items.find((item) => item.id === id);
    }

    it("shows the page after a server action what the action wrote", async () => {
      const notes = async () =>
        (
          await readForPage(async (db) =>
            (await queryRows<{ note: string }>(db, sql`select note from replica_probe`)).map(
              (row) => row.note,
            ),
          )
        ).value;
      cookieJar.clear();
      // The probe table and its rows on the replica first: a read it cannot serve goes to the
      // primary, which would pass for read-your-writes.
      await replayedTo(await primaryPosition(database.db));
      await pauseReplay();
      try {
        const done = await runAction(() =>
          database.db.execute(sql`insert into replica_probe (note) values ('by an action')`),
        );
        expect(done.ok).toBe(true);
        expect(cookieJar.get(READ_AFTER_COOKIE)).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
        expect(await notes()).toContain("by an action");
        // Another browser, without the marker, reads the paused replica.
        cookieJar.clear();
        expect(await notes()).not.toContain("by an action");
      } finally {
        await resumeReplay();
      }
    });

    it("shows a person their own action at once, while others read the replica", async () => {
      const x = await seedException(database.db);
      await replayedTo(await primaryPosition(database.db));
      await pauseReplay();
      try {
        // A browser: the session cookie, and the marker the write's answer sets.
        signedIn = { id: ops.id, sessionVersion: 0 };
        const assigned = await answer(
          handleExceptionAction(
            database.db,
            apiRequest("POST", `/api/v1/exceptions/${x.id}/assign`, {
              body: { assignee: ops.email },
            }),
            x.id,
            "assign",
          ),
          "POST /api/v1/exceptions/{id}/assign",
        );
        expect(assigned.status).toBe(200);
        const marker = /closeline-read-after=([^;]+)/.exec(
          assigned.headers.get("set-cookie") ?? "",
        )?.[1];
        expect(marker).toBeDefined();
        const cookie = `${READ_AFTER_COOKIE}=${marker}`;
        expect((await queueItem(x.id, { headers: { cookie } }))?.ownerId).toBe(ops.id);
        // Others read the paused replica, which has not replayed it; the marker alone is what
        // sends a read to the primary (or to a replica that has replayed the write).
        expect((await queueItem(x.id, { token: readerKey }))?.ownerId).toBeNull();
        expect((await queueItem(x.id, { token: readerKey, headers: { cookie } }))?.ownerId).toBe(
          ops.id,
        );

        // An API caller with a token keeps no cookie: the primary keeps its write's position.
        signedIn = null;
        const started = await startWithToken(x.id);
        expect(started.status).toBe(200);
        expect(started.headers.get("set-cookie")).toBeNull();
        expect((await queueItem(x.id, { token: opsToken }))?.status).toBe("in_progress");
        expect(await queueItem(x.id, { token: readerKey })).toMatchObject({
          status: "open",
          ownerId: null,
        });
      } finally {
        await resumeReplay();
      }
      await replayedTo(await primaryPosition(database.db));
      expect(await queueItem(x.id, { token: readerKey })).toMatchObject({
        status: "in_progress",
        ownerId: ops.id,
      });
    });

    it("shows a token caller its write on another app instance, and reads a named position", async () => {
      const x = await seedException(database.db);
      await replayedTo(await primaryPosition(database.db));
      const other = await anotherInstance();
      const readOnOther = async (options: CallOptions) => {
        const listed = await answer<QueuePage>(
          other.exceptions.handleListExceptions(
            database.db,
            apiRequest("GET", "/api/v1/exceptions", options),
          ),
          "GET /api/v1/exceptions",
        );
        expect(listed.status).toBe(200);
        return listed.body.items.find((item) => item.id === x.id)?.status;
      };
      await pauseReplay();
      try {
        signedIn = null;
        // Written through the first instance.
        const started = await startWithToken(x.id);
        expect(started.status).toBe(200);
        const position = started.headers.get(WRITE_POSITION_HEADER);
        expect(position).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
        const [marker] = await queryRows<{ position: string }>(
          database.db,
          sql`select position::text as position from caller_write_positions
              where caller = ${`user:${ops.id}`}`,
        );
        expect(marker?.position).toBe(position);

        // Read through the second: the primary answers the writer, the lagging replica others.
        vi.mocked(other.writes.lastCallerWrite).mockClear();
        expect(await readOnOther({ token: opsToken })).toBe("in_progress");
        expect(other.writes.lastCallerWrite).toHaveBeenCalledTimes(1);
        expect(await readOnOther({ token: readerKey })).toBe("open");

        // Another caller that names the position reads after it; a malformed one is ignored,
        // and a position already replayed changes nothing.
        const named = (value: string) => ({
          token: readerKey,
          headers: { [WRITE_POSITION_HEADER]: value },
        });
        expect(await readOnOther(named(position!))).toBe("in_progress");
        expect(await readOnOther(named("'; select 1 --"))).toBe("open");
        expect(await readOnOther(named("0/1"))).toBe("open");
        // A browser's read looks nothing up: its cookie carries its writes.
        vi.mocked(other.writes.lastCallerWrite).mockClear();
        signedIn = { id: ops.id, sessionVersion: 0 };
        expect(await readOnOther({})).toBe("open");
        expect(other.writes.lastCallerWrite).not.toHaveBeenCalled();
      } finally {
        signedIn = null;
        await resumeReplay();
        await other.router.close();
      }
    });

    it("shows a key the events it just sent, on another app instance", async () => {
      const sender = await makeKey(database.db, ["ingest", "read"]);
      const source = `/tests/replicas/${randomUUID()}`;
      await replayedTo(await primaryPosition(database.db));
      const other = await anotherInstance();
      const sentOnOther = async (key: string) => {
        const url = `http://closeline.test/api/v1/events?source=${encodeURIComponent(source)}`;
        const listed = await other.events.handleListEvents(
          database.db,
          new Request(url, { headers: { authorization: `Bearer ${key}` } }),
        );
        expect(listed.status).toBe(200);
        return ((await listed.json()) as EventsPage).events.length;
      };
      await pauseReplay();
      try {
        const sent = await postEvents(database.db, [makeEvent("usage.checkpoint", { source })], {
          key: sender.key,
        });
        expect(sent.body.accepted).toBe(1);
        expect(sent.headers.get(WRITE_POSITION_HEADER)).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
        expect(await sentOnOther(sender.key)).toBe(1);
        expect(await sentOnOther(readerKey)).toBe(0);
      } finally {
        await resumeReplay();
        await other.router.close();
      }
    });
  });
});
