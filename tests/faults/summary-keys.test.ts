import { sql as dsql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, describe, expect, test } from "vitest";
import { insertEvents, type EventRow } from "@/db/queries/ingest";
import { ingestItems } from "@/lib/ingest/ingest";
import { createTestDb, TEST_ENGINE, type TestDb } from "../support/db";
import { chunks, seededRandom, shuffled } from "./support/seeded";
import { workloadEvents } from "./support/workload";

/*
 * The summary refreshes (erp_postings, payment_syncs) under batches committing side by side.
 * Their triggers hold the rollup lock shared and a lock per key (db/sql/functions/
 * closeline_refresh_changed.sql says why that is exact): two transactions on different
 * postings and payments must not wait for each other; two on one invoice and a posting or
 * payment naming it must, in either order, end as a recomputation from the source tables
 * (kpi_summaries_rebuild) says; and so must many concurrent overlapping batches. A deadlock
 * the key locks still allow is retried by ingestion.
 *
 * Most tests write the projection tables directly, one statement per batch with the
 * ingestion statement's shape (one data-modifying CTE per table, in its order), over events
 * stored beforehand: so only the summaries' locks are at play, not the additive rollups'
 * triggers on the events, whose own lock is another matter.
 */

const T0 = "2025-03-01T00:00:00Z";
const dbs: TestDb[] = [];
const sessions: postgres.Sql[] = [];

afterAll(async () => {
  await Promise.all(sessions.map((s) => s.end()));
  await Promise.all(dbs.map((t) => t.close()));
});

/** A fresh database with `events` stored rows for the projection rows to reference. */
async function freshDb(events = 2_000) {
  const t = await createTestDb();
  dbs.push(t);
  const admin = session(t);
  const rows = await admin<{ seq: string }[]>`
    insert into events (source, event_id, type, time, data, attributes)
    select '/tests/summary-keys', 'e' || g, 'fx.rate', ${T0}, '{}', '{}'
    from generate_series(1, ${events}) g returning seq`;
  const seqs = rows.map((r) => Number(r.seq));
  let next = 0;
  const seq = () => {
    if (next >= seqs.length) throw new Error("the test stored too few events");
    return seqs[next++]!;
  };
  return { t, admin, seq };
}

/** A connection of its own: one session, for a transaction held open across statements. */
function session(t: TestDb) {
  const s = postgres(t.url!, { max: 1, onnotice: () => {} });
  sessions.push(s);
  return s;
}

interface Batch {
  invoices?: { id: string; hour: number }[];
  attempts?: {
    posting: string;
    attempt: number;
    invoice: string;
    status: "failed" | "succeeded";
    hour: number;
  }[];
  payments?: { id: string; invoice: string | null; entity?: string; hour: number }[];
  entitlements?: { payment: string; hour: number }[];
}

/**
 * Writes a batch's projection rows in one statement, as ingestion does (db/queries/ingest.ts):
 * upserts where the table keeps a row per key, so a re-report is an update.
 */
async function write(sql: postgres.Sql | postgres.TransactionSql, batch: Batch, seq: () => number) {
  const withSeq = <T>(rows: T[] | undefined) => (rows ?? []).map((r) => ({ ...r, seq: seq() }));
  const json = (rows: unknown[]) => sql.json(rows as postgres.JSONValue);
  await sql`
    with i as (
      insert into invoices (invoice_id, source, customer_id, entity, currency, amount_minor,
        period_start, period_end, issued_at, event_seq, event_time, event_id)
      select r.id, 's', 'cus', 'INV-' || r.id, 'EUR', 100, ${T0}, ${T0},
        ${T0}::timestamptz + make_interval(hours => r.hour), r.seq, ${T0}, 'e' || r.seq
      from jsonb_to_recordset(${json(withSeq(batch.invoices))}) r(id text, hour int, seq bigint)
      on conflict (invoice_id) do update set issued_at = excluded.issued_at,
        entity = excluded.entity, event_seq = excluded.event_seq),
    a as (
      insert into erp_posting_attempts (posting_id, attempt, invoice_id, entity, status,
        attempted_at, event_seq, event_time, event_id, event_source)
      select r.posting, r.attempt, r.invoice, 'EU', r.status,
        ${T0}::timestamptz + make_interval(hours => r.hour), r.seq, ${T0}, 'e' || r.seq, 's'
      from jsonb_to_recordset(${json(withSeq(batch.attempts))})
        r(posting text, attempt int, invoice text, status text, hour int, seq bigint)
      on conflict (posting_id, attempt) do update set invoice_id = excluded.invoice_id,
        status = excluded.status, attempted_at = excluded.attempted_at),
    p as (
      insert into payments (payment_id, customer_id, invoice_id, entity, currency, amount_minor,
        received_at, event_seq, event_time, event_id, event_source)
      select r.id, 'cus', r.invoice, r.entity, 'EUR', 100,
        ${T0}::timestamptz + make_interval(hours => r.hour), r.seq, ${T0}, 'e' || r.seq, 's'
      from jsonb_to_recordset(${json(withSeq(batch.payments))})
        r(id text, invoice text, entity text, hour int, seq bigint)
      on conflict (payment_id) do update set invoice_id = excluded.invoice_id,
        received_at = excluded.received_at),
    u as (
      insert into entitlement_updates (event_seq, customer_id, status, payment_id, updated_at,
        event_time, event_id)
      select r.seq, 'cus', 'active', r.payment, ${T0}::timestamptz + make_interval(hours => r.hour),
        ${T0}, 'e' || r.seq
      from jsonb_to_recordset(${json(withSeq(batch.entitlements))}) r(payment text, hour int, seq bigint))
    select 1`;
}

/**
 * Drops the additive rollups' triggers (event lag, usage completeness): they take a lock of
 * their own, another change's matter; only the summaries' locks are under test where a test
 * ingests through the ingestion statement.
 */
async function dropAdditiveRollupTriggers(admin: postgres.Sql) {
  const triggers = await admin<{ name: string; on: string }[]>`
    select t.tgname as name, t.tgrelid::regclass::text as on
    from pg_trigger t join pg_proc p on p.oid = t.tgfoid
    where not t.tgisinternal
      and (p.proname like 'event\_lag%' or p.proname like 'usage\_completeness%')`;
  expect(triggers.length).toBeGreaterThan(0);
  for (const t of triggers) await admin.unsafe(`drop trigger ${t.name} on ${t.on}`);
}

/** Every summary row, as text, in order. */
async function summaries(sql: postgres.Sql | postgres.TransactionSql) {
  const rows = await sql<{ r: string }[]>`
    select 'posting ' || row(p.*)::text as r from erp_postings p
    union all select 'payment ' || row(s.*)::text from payment_syncs s order by 1`;
  return rows.map((x) => x.r);
}

/** The summaries as kept, and as kpi_summaries_rebuild recomputes them (rolled back). */
async function keptAndRebuilt(sql: postgres.Sql) {
  const kept = await summaries(sql);
  let rebuilt: string[] = [];
  await sql
    .begin(async (tx) => {
      await tx`select kpi_summaries_rebuild()`;
      rebuilt = await summaries(tx);
      throw new Error("rolled back");
    })
    .catch((error: Error) => {
      if (error.message !== "rolled back") throw error;
    });
  return { kept, rebuilt };
}

async function expectEqualToRebuild(sql: postgres.Sql) {
  const { kept, rebuilt } = await keptAndRebuilt(sql);
  expect(rebuilt.length).toBeGreaterThan(0);
  expect(kept).toEqual(rebuilt);
}

/** Waits until the session `pid` waits for an advisory lock, or `running` settles first. */
async function untilWaiting(observer: postgres.Sql, pid: number, running: Promise<unknown>) {
  let settled = false;
  void running.then(
    () => (settled = true),
    () => (settled = true),
  );
  const deadline = Date.now() + 10_000;
  while (!settled) {
    const [row] = await observer<{ n: number }[]>`
      select count(*)::int as n from pg_locks
      where pid = ${pid} and locktype = 'advisory' and not granted`;
    if (row!.n > 0) return "waiting";
    if (Date.now() > deadline) throw new Error("the second transaction neither waited nor ended");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return "ended";
}

/** Holds a transaction open on its own session until `release` is called. */
function holdOpen(sql: postgres.Sql, work: (tx: postgres.TransactionSql) => Promise<void>) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let ready!: () => void;
  let failed!: (error: unknown) => void;
  const done = new Promise<void>((resolve, reject) => ((ready = resolve), (failed = reject)));
  const committed = sql.begin(async (tx) => {
    await work(tx);
    ready();
    await released;
  });
  committed.catch(failed);
  return { done, release, committed };
}

describe.skipIf(TEST_ENGINE !== "postgres")("summary refreshes under concurrent batches", () => {
  test("two transactions on different postings and payments do not wait for each other", async () => {
    const { t, admin, seq } = await freshDb();
    await write(
      admin,
      {
        invoices: [
          { id: "I1", hour: 1 },
          { id: "I2", hour: 2 },
        ],
      },
      seq,
    );
    const first = holdOpen(session(t), (tx) =>
      write(
        tx,
        {
          attempts: [{ posting: "P1", attempt: 1, invoice: "I1", status: "failed", hour: 3 }],
          payments: [{ id: "Y1", invoice: "I1", hour: 3 }],
          entitlements: [{ payment: "Y1", hour: 4 }],
        },
        seq,
      ),
    );
    await first.done;
    // The first is open, holding its keys. The second names the same invoice (read by both
    // summaries: shared), other postings and payments, and an invoice of its own: it must
    // commit without waiting at all.
    await session(t).begin(async (tx) => {
      await tx`set local lock_timeout = '300ms'`;
      await write(
        tx,
        {
          invoices: [{ id: "I3", hour: 5 }],
          attempts: [
            { posting: "P2", attempt: 1, invoice: "I1", status: "succeeded", hour: 5 },
            { posting: "P3", attempt: 1, invoice: "I3", status: "succeeded", hour: 5 },
          ],
          payments: [{ id: "Y2", invoice: "I1", hour: 5 }],
          entitlements: [{ payment: "Y2", hour: 6 }],
        },
        seq,
      );
    });
    first.release();
    await first.committed;
    await expectEqualToRebuild(admin);
  });

  test("a transaction with more keys than the lock table allows for locks the summaries whole", async () => {
    const { t, admin, seq } = await freshDb();
    const [{ limit } = { limit: 0 }] = await admin<{ limit: number }[]>`
      select 2 * current_setting('max_locks_per_transaction')::int as limit`;
    expect(limit).toBeGreaterThan(0);
    const many = Array.from({ length: limit + 1 }, (_, i) => ({
      posting: `BIG-${i}`,
      attempt: 1,
      invoice: "I-BIG",
      status: "succeeded" as const,
      hour: 1,
    }));
    const big = session(t);
    const [{ pid } = { pid: 0 }] = await big<{ pid: number }[]>`select pg_backend_pid() as pid`;
    const first = holdOpen(big, (tx) => write(tx, { attempts: many }, seq));
    await first.done;
    // Two entries in the shared lock table, not one per key: the rollup lock shared, and the
    // summaries' own lock exclusive.
    const held = await admin<{ classid: number; objid: number; mode: string }[]>`
      select classid::int, objid::int, mode from pg_locks
      where pid = ${pid} and locktype = 'advisory' order by classid, objid`;
    expect(held).toEqual([
      { classid: 0, objid: 7340003, mode: "ShareLock" },
      { classid: 7340007, objid: 0, mode: "ExclusiveLock" },
    ]);
    // So a batch on other keys waits for it, as under the one lock.
    await expect(
      session(t).begin(async (tx) => {
        await tx`set local lock_timeout = '300ms'`;
        await write(
          tx,
          { attempts: [{ posting: "P1", attempt: 1, invoice: "I1", status: "failed", hour: 2 }] },
          seq,
        );
      }),
    ).rejects.toMatchObject({ code: "55P03" });
    const after = session(t).begin((tx) =>
      write(tx, { invoices: [{ id: "I-BIG", hour: 3 }] }, seq),
    );
    first.release();
    await first.committed;
    await after;
    await expectEqualToRebuild(admin);
  });

  test("two ingestion statements on different keys do not wait for each other", async () => {
    const { t } = await freshDb(0);
    const admin = session(t);
    await dropAdditiveRollupTriggers(admin);
    const events = (prefix: string): EventRow[] => [
      {
        source: "/tests/summary-keys",
        eventId: `${prefix}-invoice`,
        type: "invoice.issued",
        time: T0,
        subject: null,
        attributes: {},
        data: {
          invoiceId: `${prefix}-I`,
          customerId: "cus",
          entity: "EU",
          currency: "EUR",
          amountMinor: 100,
          periodStart: T0,
          periodEnd: T0,
          issuedAt: T0,
        },
      },
      {
        source: "/tests/summary-keys",
        eventId: `${prefix}-attempt`,
        type: "erp.posting.attempted",
        time: T0,
        subject: null,
        attributes: {},
        data: {
          postingId: `${prefix}-P`,
          invoiceId: `${prefix}-I`,
          entity: "EU",
          attempt: 1,
          status: "succeeded",
          attemptedAt: T0,
        },
      },
      {
        source: "/tests/summary-keys",
        eventId: `${prefix}-payment`,
        type: "payment.received",
        time: T0,
        subject: null,
        attributes: {},
        data: {
          paymentId: `${prefix}-Y`,
          customerId: "cus",
          invoiceId: `${prefix}-I`,
          currency: "EUR",
          amountMinor: 100,
          receivedAt: T0,
        },
      },
    ];
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let inserted!: () => void;
    const insertedFirst = new Promise<void>((resolve) => (inserted = resolve));
    const first = t.db.transaction(async (tx) => {
      await insertEvents(tx, events("a"), null);
      inserted();
      await released;
    });
    await insertedFirst;
    await t.db.transaction(async (tx) => {
      await tx.execute(dsql`set local lock_timeout = '300ms'`);
      expect(await insertEvents(tx, events("b"), null)).toHaveLength(3);
    });
    release();
    await first;
    await expectEqualToRebuild(admin);
  });

  // Each case: what the first transaction writes (and holds, uncommitted), what the second
  // writes meanwhile. The second's triggers wait for the first's commit on the invoice's key;
  // whichever comes first, both must be in the summaries in the end.
  const invoice = { invoices: [{ id: "I1", hour: 2 }] };
  const reissued = { invoices: [{ id: "I1", hour: 7 }] };
  const posting = {
    attempts: [{ posting: "P1", attempt: 1, invoice: "I1", status: "failed" as const, hour: 3 }],
  };
  const retry = {
    attempts: [{ posting: "P1", attempt: 2, invoice: "I1", status: "succeeded" as const, hour: 9 }],
  };
  const payment = { payments: [{ id: "Y1", invoice: "I1", entity: "OWN", hour: 3 }] };
  const entitlement = { entitlements: [{ payment: "Y1", hour: 5 }] };
  const cases: [string, Batch, Batch, Batch?][] = [
    ["an invoice, then a posting naming it", invoice, posting],
    ["a posting, then the invoice it names", posting, invoice],
    ["an invoice, then a payment naming it", invoice, payment],
    ["a payment, then the invoice it names", payment, invoice],
    [
      "a re-issued invoice, then a retry of its posting",
      reissued,
      retry,
      { ...invoice, ...posting },
    ],
    [
      "a retry of a posting, then its invoice re-issued",
      retry,
      reissued,
      { ...invoice, ...posting },
    ],
    ["a payment, then its entitlement update", payment, entitlement, invoice],
    ["an entitlement update, then its payment", entitlement, payment, invoice],
  ];

  test.each(cases)("%s, concurrently, equal the recomputation", async (_, a, b, before) => {
    const { t, admin, seq } = await freshDb();
    if (before) await write(admin, before, seq);
    const first = holdOpen(session(t), (tx) => write(tx, a, seq));
    await first.done;
    const second = session(t);
    const [{ pid } = { pid: 0 }] = await second<
      {
        pid: number;
      }[]
    >`select pg_backend_pid() as pid`;
    const writing = second.begin((tx) => write(tx, b, seq));
    // Both share a key (the invoice, or the payment): the second must wait for the first.
    expect(await untilWaiting(admin, pid, writing)).toBe("waiting");
    first.release();
    await first.committed;
    await writing;
    await expectEqualToRebuild(admin);
    const [row] = await admin<{ issued: Date | null; entity: string | null }[]>`
      select (select invoice_issued_at from erp_postings where posting_id = 'P1') as issued,
        (select entity from payment_syncs where payment_id = 'Y1') as entity`;
    if ([a, b].some((x) => x.attempts) && [a, b].some((x) => x.invoices))
      expect(row!.issued).not.toBeNull();
    if ([a, b].some((x) => x.payments) && [a, b].some((x) => x.invoices))
      expect(row!.entity).toBe("INV-I1");
  });

  test("concurrent overlapping batches, re-reports and deletes equal the recomputation", async () => {
    const { t, admin, seq } = await freshDb(20_000);
    const random = seededRandom(17);
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
    const invoices = Array.from({ length: 8 }, (_, i) => `I${i}`);
    const postings = Array.from({ length: 16 }, (_, i) => `P${i}`);
    const payments = Array.from({ length: 10 }, (_, i) => `Y${i}`);
    const hour = () => Math.floor(random() * 48);
    const some = <T>(n: number, make: () => T) =>
      Array.from({ length: Math.floor(random() * n) }, make);
    // Within one statement a table's row is written once, as ingestion's DISTINCT ON does.
    const once = <T>(rows: T[], key: (row: T) => string) => [
      ...new Map(rows.map((r) => [key(r), r])).values(),
    ];
    const batch = (): Batch & { deletes: { posting: string; attempt: number }[] } => ({
      invoices: once(
        some(3, () => ({ id: pick(invoices), hour: hour() })),
        (r) => r.id,
      ),
      attempts: once(
        some(5, () => {
          const posting = pick(postings);
          return {
            posting,
            attempt: 1 + Math.floor(random() * 3),
            // Mostly the posting's own invoice; sometimes a re-report naming another.
            invoice:
              random() < 0.8
                ? invoices[Number(posting.slice(1)) % invoices.length]!
                : pick(invoices),
            status: random() < 0.5 ? ("failed" as const) : ("succeeded" as const),
            hour: hour(),
          };
        }),
        (r) => `${r.posting} ${r.attempt}`,
      ),
      payments: once(
        some(3, () => ({
          id: pick(payments),
          invoice: random() < 0.9 ? pick(invoices) : null,
          hour: hour(),
        })),
        (r) => r.id,
      ),
      entitlements: some(3, () => ({ payment: pick(payments), hour: hour() })),
      deletes: random() < 0.15 ? [{ posting: pick(postings), attempt: 1 }] : [],
    });
    const batches = Array.from({ length: 240 }, batch);
    let next = 0;
    let deadlocks = 0;
    const client = async () => {
      // Without the ingestion statement's up-front locks (kpi_summaries_events_lock), the
      // triggers' sweeps deadlock now and then: found in 50 ms instead of a second.
      const sql = postgres(t.url!, {
        max: 1,
        onnotice: () => {},
        connection: { deadlock_timeout: "50ms" },
      });
      sessions.push(sql);
      while (next < batches.length) {
        const b = batches[next++]!;
        for (let attempt = 1; ; attempt++) {
          try {
            await sql.begin(async (tx) => {
              await write(tx, b, seq);
              // A delete, as retention makes one, in the same transaction.
              for (const d of b.deletes)
                await tx`delete from erp_posting_attempts
                  where posting_id = ${d.posting} and attempt = ${d.attempt}`;
            });
            break;
          } catch (error) {
            if ((error as { code?: string }).code !== "40P01" || attempt >= 50) throw error;
            deadlocks++;
          }
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, client));
    await expectEqualToRebuild(admin);
    console.log(`${batches.length} batches, ${deadlocks} deadlocks retried`);
  }, 120_000);

  test("concurrent ingestion of a shuffled month, cross-referencing batches, equals the recomputation without a deadlock", async () => {
    const t = await createTestDb();
    dbs.push(t);
    const admin = session(t);
    await dropAdditiveRollupTriggers(admin);
    const deadlocksSoFar = async () =>
      (
        await admin<{ n: number }[]>`
          select deadlocks::int as n from pg_stat_database where datname = current_database()`
      )[0]!.n;
    const before = await deadlocksSoFar();
    const batches = chunks(shuffled(workloadEvents(29), seededRandom(3)), 120);
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < batches.length) {
          const result = await ingestItems(t.db, batches[next++]!, {
            apiKeyId: null,
            channel: "api",
          });
          expect(result.rejected).toEqual([]);
        }
      }),
    );
    await expectEqualToRebuild(admin);
    // Every key a batch locks is taken up front, invoices first (kpi_summaries_events_lock):
    // batches wait for one another but never deadlock. Statistics reach the view within a
    // second of a backend going idle.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await deadlocksSoFar()).toBe(before);
  }, 300_000);

  test("ingestion stores a batch again when PostgreSQL aborts it as a deadlock's victim", async () => {
    const { t, admin } = await freshDb(0);
    const blocker = session(t);
    const batch = [
      {
        specversion: "1.0",
        id: "deadlock-attempt",
        source: "/tests/summary-keys",
        type: "erp.posting.attempted",
        time: T0,
        data: {
          postingId: "P-DEADLOCK",
          invoiceId: "I-DEADLOCK",
          entity: "EU",
          attempt: 1,
          status: "failed",
          attemptedAt: T0,
          errorCode: "E_TIMEOUT",
        },
      },
    ];
    const deadlocks = async () =>
      (
        await admin<{ n: number }[]>`
          select deadlocks::int as n from pg_stat_database where datname = current_database()`
      )[0]!.n;
    const before = await deadlocks();
    let result: Awaited<ReturnType<typeof ingestItems>> | undefined;
    let failure: unknown;
    await blocker.begin(async (tx) => {
      // The blocker is never the victim: its deadlock check comes long after the batch's.
      await tx`set local deadlock_timeout = '20s'`;
      await tx`select pg_advisory_xact_lock(7340007, hashtext('posting_id P-DEADLOCK'))`;
      const ingesting = ingestItems(t.db, batch, { apiKeyId: null, channel: "api" }).then(
        (r) => (result = r),
        (error: unknown) => (failure = error),
      );
      // The batch holds the rollup lock (shared) and waits for the posting's key...
      let waiter: number | undefined;
      await waitFor(async () => {
        const [row] = await admin<{ pid: number }[]>`
          select pid from pg_locks where locktype = 'advisory' and not granted
            and database = (select oid from pg_database where datname = current_database())`;
        waiter = row?.pid;
        return waiter !== undefined;
      });
      expect(await untilWaiting(admin, waiter!, ingesting)).toBe("waiting");
      // ...and the blocker now wants the rollup lock exclusive, as a rebuild does: a cycle.
      await tx`select pg_advisory_xact_lock(7340003)`;
    });
    await waitFor(() => result !== undefined || failure !== undefined);
    expect(failure).toBeUndefined();
    expect(result).toMatchObject({ accepted: 1, duplicates: 0, rejected: [] });
    const [row] = await admin<{ attempts: string }[]>`
      select attempts from erp_postings where posting_id = 'P-DEADLOCK'`;
    expect(Number(row!.attempts)).toBe(1);
    await waitFor(async () => (await deadlocks()) > before);
  }, 60_000);
});

async function waitFor(check: () => boolean | Promise<boolean>) {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
