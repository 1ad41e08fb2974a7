import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDb, type DbHandle } from "@/db/client";
import { embeddedSocketPath, listenOnEmbeddedSocket } from "@/db/embedded-socket";
import { queryRows } from "@/db/rows";
import { TEST_ENGINE } from "../support/db";

/*
 * CLOSELINE_PGLITE_SOCKET: other processes reach the app's embedded database over the wire
 * protocol while the app keeps using it. PGlite is one session, so the socket's clients and
 * the app must take turns by whole transactions, never by single statements.
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let dir: string;
let socketPath: string;
let app: DbHandle;
const clients: postgres.Sql[] = [];

function connect(max = 2): postgres.Sql {
  const client = postgres("postgres://postgres@localhost/postgres", {
    path: socketPath,
    max,
    onnotice: () => {},
  });
  clients.push(client);
  return client;
}

async function whoRows(): Promise<string[]> {
  const rows = await queryRows<{ who: string }>(app.db, sql`select who from probe order by id`);
  return rows.map((row) => row.who);
}

describe.skipIf(TEST_ENGINE !== "pglite")("the embedded database's socket", () => {
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "closeline-socket-"));
    socketPath = embeddedSocketPath(dir);
    app = await openDb({
      kind: "pglite",
      dataDir: path.join(dir, "pglite"),
      listenSocket: socketPath,
    });
    await app.db.execute(sql`create table probe (id serial primary key, who text not null)`);
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.end({ timeout: 1 })));
    await app?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("is a socket only its owner may use", () => {
    expect(fs.statSync(socketPath).isSocket()).toBe(true);
    expect(fs.statSync(socketPath).mode & 0o777).toBe(0o600);
  });

  it("serves the app's database to a PostgreSQL client, both ways", async () => {
    const client = connect();
    await client`insert into probe (who) values ('client')`;
    await app.db.execute(sql`insert into probe (who) values ('app')`);
    expect(await whoRows()).toEqual(["client", "app"]);
    const seen = await client<{ who: string }[]>`select who from probe order by id`;
    expect(seen.map((row) => row.who)).toEqual(["client", "app"]);
    await app.db.execute(sql`delete from probe`);
  });

  it("never runs the app's statements inside a client's transaction, or the reverse", async () => {
    const client = connect();
    // Each side pauses in the middle of its transaction while the other starts one. Were turns
    // taken by statement, the app's statements would land in the client's open transaction
    // (and be committed with it), or the client's in the app's (and be rolled back with it).
    const appTransaction = async () => {
      await app.db
        .transaction(async (tx) => {
          await tx.execute(sql`insert into probe (who) values ('app 1')`);
          await sleep(150);
          await tx.execute(sql`insert into probe (who) values ('app 2')`);
          throw new Error("the app changes its mind");
        })
        .catch((error: Error) => expect(error.message).toBe("the app changes its mind"));
    };
    const clientTransaction = (tag: string, started: () => void) =>
      client.begin(async (tx) => {
        await tx`insert into probe (who) values (${`${tag} 1`})`;
        started();
        await sleep(150);
        await tx`insert into probe (who) values (${`${tag} 2`})`;
      });

    // The client first, the app while the client's transaction is open…
    let clientStarted!: () => void;
    const clientInTransaction = new Promise<void>((resolve) => (clientStarted = resolve));
    const first = clientTransaction("client", clientStarted);
    await clientInTransaction;
    await Promise.all([first, appTransaction()]);
    expect(await whoRows()).toEqual(["client 1", "client 2"]);

    // …then the app first, the client while the app's is open, and plain reads beside both.
    const appSide = appTransaction();
    await sleep(20);
    const second = clientTransaction("later", () => {});
    const reads = Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        client`select ${i}::int as i`.then((rows) => rows[0]?.i),
      ),
    );
    await Promise.all([appSide, second]);
    expect(await reads).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(await whoRows()).toEqual(["client 1", "client 2", "later 1", "later 2"]);
    await app.db.execute(sql`delete from probe`);
  });

  it("rolls back what a client left open when it went away, and lets the app go on", async () => {
    const client = connect(1);
    const session = await client.reserve();
    await session`begin`;
    await session`insert into probe (who) values ('never committed')`;
    session.release();
    await client.end({ timeout: 0 });
    // The app waited for the client's turn to end; it must not find the row, nor a transaction.
    expect(await whoRows()).toEqual([]);
    await app.db.execute(sql`insert into probe (who) values ('after')`);
    expect(await whoRows()).toEqual(["after"]);
    await app.db.execute(sql`delete from probe`);
  });

  it("reports a client's failed statement to that client only", async () => {
    const client = connect();
    await expect(
      client.begin(async (tx) => {
        await tx`insert into probe (who) values ('doomed')`;
        await tx`select 1 / 0`;
      }),
    ).rejects.toThrow(/division by zero/);
    await app.db.execute(sql`insert into probe (who) values ('fine')`);
    expect(await whoRows()).toEqual(["fine"]);
    await app.db.execute(sql`delete from probe`);
  });

  it("refuses a second server on a socket that still answers, and replaces a stale one", async () => {
    // A PGlite folder open twice is corrupted: the socket is how a second app finds out.
    const pglite = (app.db as unknown as { $client: PGlite }).$client;
    await expect(listenOnEmbeddedSocket(pglite, socketPath)).rejects.toThrow(
      /served by another process/,
    );
    // What a killed app leaves: the file of a socket nobody listens on.
    const stale = path.join(dir, "stale", ".s.PGSQL.5432");
    fs.mkdirSync(path.dirname(stale));
    fs.writeFileSync(stale, "");
    const other = await openDb({ kind: "pglite", dataDir: null, listenSocket: stale });
    try {
      expect(fs.statSync(stale).isSocket()).toBe(true);
    } finally {
      await other.close();
    }
    expect(fs.existsSync(stale)).toBe(false);
  });
});
