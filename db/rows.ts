import "server-only";
import { is, type SQL } from "drizzle-orm";
import type { PgDialect, PgTransactionConfig } from "drizzle-orm/pg-core";
import { PostgresJsSession } from "drizzle-orm/postgres-js";
import type { Db } from "./client";

/**
 * Runs raw SQL and returns its rows. postgres.js answers with an array, PGlite with
 * `{ rows }`; callers should not have to know which engine they are on.
 */
export async function queryRows<T>(db: Db, query: SQL): Promise<T[]> {
  const result: unknown = await db.execute(query);
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

/** The first row a query answers, or null when it answers none. */
export async function firstOrNull<T>(rows: PromiseLike<T[]>): Promise<T | null> {
  const [row] = await rows;
  return row ?? null;
}

/**
 * `db` with its raw statements (`execute`, and so `queryRows`) run as named prepared
 * statements on PostgreSQL, in its transactions too; on PGlite, `db` itself.
 *
 * drizzle sends `db.execute` unnamed, so PostgreSQL parses, analyses and rewrites the statement
 * again on every call: about a millisecond for each of the detectors' statements, twenty to
 * thirty of which a batch runs. A named statement is parsed once per connection (postgres.js
 * keeps one per statement text and connection, dropped when the connection is recycled, every
 * 30–60 minutes by its default `max_lifetime`), so only for statements whose text is one of a
 * fixed few: values travel as parameters, never inlined with `sql.raw`. The ingestion path's
 * statements are (tests/db/prepared-statements.test.ts); a caller with text built from
 * values must not use this. A transaction-mode pooler shares no named statements between
 * transactions: there, DATABASE_PREPARED_STATEMENTS=off makes postgres.js send them unnamed
 * (db/client.ts).
 */
export function withPreparedStatements(db: Db): Db {
  const session = db._.session;
  if (!is(session, PostgresJsSession)) return db;
  const dialect = (db as unknown as { dialect: PgDialect }).dialect;
  return new Proxy(db, {
    get(target, property, receiver) {
      if (property === "execute") {
        // drizzle prepares (names) a statement exactly when it is given a name; the name itself
        // is unused, postgres.js names statements per connection.
        return (query: SQL) =>
          session.prepareQuery(dialect.sqlToQuery(query), undefined, "", false).execute();
      }
      if (property === "transaction") {
        return (run: (tx: Db) => Promise<unknown>, config?: PgTransactionConfig) =>
          target.transaction((tx) => run(withPreparedStatements(tx as unknown as Db)), config);
      }
      // Everything else is the database's own, called on the proxy (so `is()` and the
      // builders see the same class and session).
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
}
