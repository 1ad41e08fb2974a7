import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { queryRows } from "@/db/rows";
import { runRetention } from "@/lib/retention";
import type { Db } from "@/db/client";
import { testDbForSuite } from "../support/db";
import { attempt, entitlement, ingest, invoice, payment, type FixtureEvent } from "./support";

/*
 * erp_postings and payment_syncs (migration 0015) are recomputed by triggers for the keys
 * each statement touches. Whatever order the events arrive in — a retry before the first
 * attempt, postings and payments before their invoice, an entitlement before its payment,
 * a superseding re-report — each must equal a recomputation from the projections, and
 * follow retention deletes and a truncate.
 */

const t = testDbForSuite();

/** Summary rows that differ from a recomputation straight from the projections. */
async function drift(db: Db) {
  const postings = await queryRows<Record<string, unknown>>(
    db,
    sql`with fresh as (
          select a.posting_id,
            (array_agg(a.entity order by a.attempt))[1] as entity,
            (array_agg(a.invoice_id order by a.attempt))[1] as invoice_id,
            min(a.attempted_at) filter (where a.attempt = (select min(b.attempt) from erp_posting_attempts b
              where b.posting_id = a.posting_id)) as first_attempted_at,
            bool_or(a.attempt = 1 and a.status = 'succeeded') as first_pass,
            bool_or(a.status = 'succeeded') as eventually,
            (array_agg(a.status order by a.attempt desc))[1] = 'failed' as open_failure,
            min(a.attempted_at) filter (where a.status = 'succeeded') as first_success_at,
            count(*) as attempts, count(*) filter (where a.status = 'failed') as failures
          from erp_posting_attempts a group by a.posting_id),
        expected as (
          select f.*, i.issued_at as invoice_issued_at from fresh f
          left join invoices i on i.invoice_id = f.invoice_id)
        select 'missing or wrong' as problem, e.posting_id from expected e
        where not exists (select 1 from erp_postings p where (p.posting_id, p.entity, p.invoice_id,
          p.first_attempted_at, p.first_pass, p.eventually, p.open_failure, p.attempts, p.failures)
          = (e.posting_id, e.entity, e.invoice_id, e.first_attempted_at, e.first_pass, e.eventually,
             e.open_failure, e.attempts, e.failures)
          and p.first_success_at is not distinct from e.first_success_at
          and p.invoice_issued_at is not distinct from e.invoice_issued_at)
        union all
        select 'extra', p.posting_id from erp_postings p
        where not exists (select 1 from expected e where e.posting_id = p.posting_id)`,
  );
  const payments = await queryRows<Record<string, unknown>>(
    db,
    sql`with expected as (
          select p.payment_id, p.received_at, p.invoice_id, i.entity,
            (select min(u.updated_at) from entitlement_updates u where u.payment_id = p.payment_id) as first_update_at
          from payments p left join invoices i on i.invoice_id = p.invoice_id)
        select 'missing or wrong' as problem, e.payment_id from expected e
        where not exists (select 1 from payment_syncs s where s.payment_id = e.payment_id
          and s.received_at = e.received_at and s.invoice_id is not distinct from e.invoice_id
          and s.entity is not distinct from e.entity
          and s.first_update_at is not distinct from e.first_update_at)
        union all
        select 'extra', s.payment_id from payment_syncs s
        where not exists (select 1 from expected e where e.payment_id = s.payment_id)`,
  );
  return { postings, payments };
}

async function count(table: "erp_postings" | "payment_syncs") {
  const [row] = await queryRows<{ n: string }>(
    t.db,
    sql`select count(*) as n from ${sql.raw(table)}`,
  );
  return Number(row?.n);
}

const clean = { postings: [], payments: [] };

describe("KPI summaries kept by triggers", () => {
  const at = (h: number) =>
    new Date(Date.parse("2025-06-01T00:00:00Z") + h * 3_600_000).toISOString();
  const inv = (n: number, entity = "EU", issuedHour = 0) =>
    invoice({ invoiceId: `INV-S${n}`, entity, periodEnd: at(-24), issuedAt: at(issuedHour) });
  const tries = (n: number, ...statuses: ("succeeded" | "failed")[]): FixtureEvent[] =>
    statuses.map((status, i) =>
      attempt({
        postingId: `POST-S${n}`,
        invoiceId: `INV-S${n}`,
        entity: "EU",
        attempt: i + 1,
        status,
        attemptedAt: at(1 + i),
        errorCode: status === "failed" ? "E_TIMEOUT" : undefined,
      }),
    );

  it("follows attempts arriving out of order and invoices arriving after their postings", async () => {
    const [first1, retry1] = tries(1, "failed", "succeeded");
    // The retry, then the first attempt, then the invoice — each in a batch of its own.
    await ingest(t.db, [retry1!]);
    expect(await drift(t.db)).toEqual(clean);
    await ingest(t.db, [first1!], tries(2, "succeeded"));
    await ingest(t.db, [inv(1), inv(2, "US", 3)]);
    expect(await drift(t.db)).toEqual(clean);
    const [row] = await queryRows<{
      first_pass: boolean;
      attempts: string;
      invoice_issued_at: unknown;
    }>(
      t.db,
      sql`select first_pass, attempts, invoice_issued_at from erp_postings where posting_id = 'POST-S1'`,
    );
    expect(row).toMatchObject({ first_pass: false });
    expect(Number(row?.attempts)).toBe(2);
    expect(row?.invoice_issued_at).not.toBeNull();
  });

  it("follows a superseding re-report of an attempt and an invoice", async () => {
    // Attempt 1 of POST-S2 re-reported as failed with a later event time; the invoice re-issued.
    const [refailed] = tries(2, "failed");
    await ingest(t.db, [{ ...refailed!, id: `${refailed!.id}-again`, time: at(30) }]);
    await ingest(t.db, [{ ...inv(2, "US", 5), time: at(31) }]);
    expect(await drift(t.db)).toEqual(clean);
    const [row] = await queryRows<{ open_failure: boolean }>(
      t.db,
      sql`select open_failure from erp_postings where posting_id = 'POST-S2'`,
    );
    expect(row?.open_failure).toBe(true);
  });

  it("follows entitlements arriving before their payment, and the paid invoice's entity", async () => {
    await ingest(t.db, [entitlement({ paymentId: "PAY-S1", updatedAt: at(5) })]);
    expect(await count("payment_syncs")).toBe(0);
    await ingest(t.db, [
      payment({ paymentId: "PAY-S1", invoiceId: "INV-S1", receivedAt: at(4) }),
      payment({ paymentId: "PAY-S2", invoiceId: "INV-S9", receivedAt: at(4) }),
    ]);
    await ingest(t.db, [entitlement({ paymentId: "PAY-S1", updatedAt: at(4.5) }), inv(9, "UK")]);
    expect(await drift(t.db)).toEqual(clean);
    const rows = await queryRows<{ payment_id: string; entity: string }>(
      t.db,
      sql`select payment_id, entity from payment_syncs order by payment_id`,
    );
    expect(rows).toEqual([
      { payment_id: "PAY-S1", entity: "EU" },
      { payment_id: "PAY-S2", entity: "UK" },
    ]);
  });

  it("plans the summary triggers' statements for the keys of each call", async () => {
    // A plan cached on a young table's statistics scanned whole tables per batch (0021). The
    // triggers calling the two refresh functions (closeline_refresh_changed) do it through
    // EXECUTE, which plans at every call whatever the setting.
    const functions = [
      "erp_postings_refresh",
      "payment_syncs_refresh",
      "kpi_summaries_invoices_changed",
    ];
    const rows = await queryRows<{ name: string; config: string[] | null }>(
      t.db,
      sql`select p.proname as name, p.proconfig as config from pg_proc p
          where p.proname = any(${`{${functions.join(",")}}`}::text[]) order by 1`,
    );
    expect(rows.map((r) => r.name)).toEqual([...functions].sort());
    for (const row of rows)
      expect(row.config, row.name).toEqual(["plan_cache_mode=force_custom_plan"]);
  });

  it("follows retention deletes and a truncate", async () => {
    await t.db.execute(sql`update events set received_at = '2025-01-01T00:00:00Z'
      where type in ('erp.posting.attempted', 'payment.received') and data->>'postingId' is distinct from 'POST-S1'`);
    const result = await runRetention(t.db, {
      now: new Date("2025-03-01T00:00:00Z"),
      maxAgeDays: 30,
      batchSize: 2,
    });
    expect(result.events).toBeGreaterThan(0);
    expect(await drift(t.db)).toEqual(clean);
    expect(await count("erp_postings")).toBe(1);
    expect(await count("payment_syncs")).toBe(0);
    await t.db.execute(sql`truncate events cascade`);
    expect(await count("erp_postings")).toBe(0);
  });
});
