import "server-only";
import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../client";
import { queryRows } from "../rows";

export interface EventRow {
  source: string;
  eventId: string;
  type: string;
  time: string;
  subject: string | null;
  data: Record<string, unknown>;
  attributes: Record<string, unknown>;
  /**
   * When the event arrived, for history replayed in-process (lib/server/demo-history.ts);
   * absent for everything a client sends, which is stamped with the transaction's now().
   */
  receivedAt?: string;
}

export interface RejectedRow {
  batchIndex: number | null;
  source: string | null;
  eventId: string | null;
  type: string | null;
  payload: unknown;
  errors: string[];
}

/*
 * Batches travel to PostgreSQL as one JSON parameter and are unpacked there with
 * jsonb_to_recordset: one round trip per batch, no 65,534-parameter ceiling, and the same
 * statement text on postgres.js and PGlite. Rows are inserted in key order so two
 * concurrent batches that overlap wait for each other instead of deadlocking.
 */

/**
 * Inserts events that are new by (source, id) and returns the keys that were inserted;
 * anything not returned was already there (a duplicate). The typed projection rows of the
 * inserted events are written by the same statement: each projection is a data-modifying
 * CTE reading the INSERT's RETURNING rows, so a batch costs one round trip and the new
 * events are never read back from the table (about a quarter less database
 * time per batch than one statement per type). Call inside a transaction.
 */
export async function insertEvents(
  db: Db,
  rows: EventRow[],
  apiKeyId: string | null,
): Promise<{ source: string; event_id: string; type: string }[]> {
  if (rows.length === 0) return [];
  // Projections run in one fixed order whatever the batch holds, so two concurrent batches
  // lock rows of the projection tables in the same table order and cannot deadlock.
  const present = new Set(rows.map((r) => r.type));
  const types = PROJECTED_EVENT_TYPES.filter((type) => present.has(type));
  const projections = types.map(
    (type, i) => sql`, ${sql.raw(`projected_${i}`)} as (${PROJECTIONS[type](sql`inserted`)})`,
  );
  return queryRows<{ source: string; event_id: string; type: string }>(
    db,
    sql`
      with inserted as (
        insert into events (source, event_id, type, time, subject, data, attributes, api_key_id, received_at)
        select r.source, r."eventId", r.type, r.time, r.subject, r.data, r.attributes, ${apiKeyId}::uuid,
          coalesce(r."receivedAt", now())
        from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
          as r(source text, "eventId" text, type text, time timestamptz, subject text, data jsonb,
            attributes jsonb, "receivedAt" timestamptz)
        order by r.source, r."eventId"
        on conflict (source, event_id) do nothing
        returning seq, source, event_id, type, time, data
      )${sql.join(projections)}
      select source, event_id, type from inserted`,
  );
}

export async function insertRejected(
  db: Db,
  rows: RejectedRow[],
  apiKeyId: string | null,
  channel: "api" | "csv",
  receivedAt?: Date,
): Promise<void> {
  if (rows.length === 0) return;
  await db.execute(sql`
    insert into rejected_events (api_key_id, channel, batch_index, source, event_id, type, payload, errors, received_at)
    select ${apiKeyId}::uuid, ${channel}, r."batchIndex", r.source, r."eventId", r.type,
      -- A batch item that is JSON null unpacks as SQL NULL; keep it as the JSON null it was.
      coalesce(r.payload, 'null'::jsonb),
      array(select jsonb_array_elements_text(r.errors)),
      coalesce(${receivedAt?.toISOString() ?? null}::timestamptz, now())
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      as r("batchIndex" int, source text, "eventId" text, type text, payload jsonb, errors jsonb)`);
}

/**
 * The stored row gives way to a later event: greater (time, id), and for two events equal in
 * both, from different sources, the greater source in byte order (`source` names the column
 * that holds it), so no tie is left to arrival order.
 */
const newer = (table: string, source?: string) => {
  // A row stored before migration 0030 has no event_source: its event has it.
  const stored = source
    ? `${table}.${source}`
    : `coalesce(${table}.event_source, (select e.source from events e where e.seq = ${table}.event_seq))`;
  return sql.raw(
    `where (${table}.event_time, ${table}.event_id, ${stored} collate "C") < (excluded.event_time, excluded.event_id, excluded.${source ?? "event_source"} collate "C")`,
  );
};

/**
 * The write of a table that keeps one row per business key, as PROJECTIONS says: `rows` gives
 * a value for each of `columns`, in order, naming the key's, event_time, event_id and the
 * source (`source` as in newer); the winner replaces every column but the key.
 */
function upsertLatest(p: {
  table: string;
  key: string;
  columns: string;
  rows: SQL;
  source?: string;
}): SQL {
  const key = p.key.split(", ");
  const set = p.columns
    .split(", ")
    .filter((c) => !key.includes(c))
    .map((c) => `${c} = excluded.${c}`);
  return sql`
      insert into ${sql.raw(p.table)} (${sql.raw(p.columns)})
      select distinct on (${sql.raw(p.key)}) * from (${p.rows}) r
      order by ${sql.raw(p.key)}, event_time desc, event_id desc, ${sql.raw(p.source ?? "event_source")} collate "C" desc
      on conflict (${sql.raw(p.key)}) do update set ${sql.raw(set.join(", "))}
      ${newer(p.table, p.source)}`;
}

/**
 * Each event type's typed rows, written from a batch of events, in the one order they run in
 * (the contract's order of its types, lib/contract/event-types.ts;
 * tests/ingest/projected-types.test.ts holds the two lists equal). Where a table keeps one
 * row per business key, the winner is the event with the greatest (time, id, source): first
 * within the batch (DISTINCT ON, since one statement may not touch a row twice), then against
 * what is stored (the WHERE on DO UPDATE). Arrival order therefore never changes the outcome.
 */
const PROJECTIONS = {
  "usage.checkpoint": (batch) =>
    upsertLatest({
      table: "usage_checkpoints",
      key: "source, entity, meter, window_start, window_end",
      columns:
        "source, entity, meter, window_start, window_end, expected_count, received_count, rejected_count, unit_price, price_currency, event_seq, event_time, event_id",
      rows: sql`
        select e.source, e.data->>'entity' as entity, e.data->>'meter' as meter,
          (e.data->>'windowStart')::timestamptz as window_start, (e.data->>'windowEnd')::timestamptz as window_end,
          (e.data->>'expectedCount')::bigint, (e.data->>'receivedCount')::bigint, (e.data->>'rejectedCount')::bigint,
          (e.data->>'unitPrice')::numeric, e.data->>'currency', e.seq, e.time as event_time, e.event_id
        from ${batch} e where e.type = 'usage.checkpoint'`,
      source: "source",
    }),
  "invoice.issued": (batch) =>
    upsertLatest({
      table: "invoices",
      key: "invoice_id",
      columns:
        "invoice_id, source, customer_id, entity, currency, amount_minor, period_start, period_end, issued_at, event_seq, event_time, event_id",
      rows: sql`
        select e.data->>'invoiceId' as invoice_id, e.source, e.data->>'customerId', e.data->>'entity',
          e.data->>'currency', (e.data->>'amountMinor')::bigint, (e.data->>'periodStart')::timestamptz,
          (e.data->>'periodEnd')::timestamptz, (e.data->>'issuedAt')::timestamptz,
          e.seq, e.time as event_time, e.event_id
        from ${batch} e where e.type = 'invoice.issued'`,
      source: "source",
    }),
  "invoice.disputed": (batch) => sql`
      insert into invoice_disputes (event_seq, invoice_id, reason, amount_minor, event_time, event_id)
      select e.seq, e.data->>'invoiceId', e.data->>'reason', (e.data->>'amountMinor')::bigint, e.time, e.event_id
      from ${batch} e where e.type = 'invoice.disputed'`,
  "erp.posting.attempted": (batch) =>
    upsertLatest({
      table: "erp_posting_attempts",
      key: "posting_id, attempt",
      columns:
        "posting_id, attempt, invoice_id, entity, status, attempted_at, error_code, error_message, event_seq, event_time, event_id, event_source",
      rows: sql`
        select e.data->>'postingId' as posting_id, (e.data->>'attempt')::bigint as attempt,
          e.data->>'invoiceId', e.data->>'entity', e.data->>'status', (e.data->>'attemptedAt')::timestamptz,
          -- A blank error code is no code (docs/kpis.md); the event keeps what was sent.
          case when btrim(e.data->>'errorCode') <> '' then e.data->>'errorCode' end,
          e.data->>'errorMessage', e.seq, e.time as event_time, e.event_id, e.source as event_source
        from ${batch} e where e.type = 'erp.posting.attempted'`,
    }),
  "payment.received": (batch) =>
    upsertLatest({
      table: "payments",
      key: "payment_id",
      columns:
        "payment_id, customer_id, invoice_id, entity, currency, amount_minor, received_at, event_seq, event_time, event_id, event_source",
      rows: sql`
        select e.data->>'paymentId' as payment_id, e.data->>'customerId', e.data->>'invoiceId',
          e.data->>'entity', e.data->>'currency', (e.data->>'amountMinor')::bigint, (e.data->>'receivedAt')::timestamptz,
          e.seq, e.time as event_time, e.event_id, e.source as event_source
        from ${batch} e where e.type = 'payment.received'`,
    }),
  "entitlement.updated": (batch) => sql`
      insert into entitlement_updates (event_seq, customer_id, status, payment_id, updated_at, event_time, event_id)
      select e.seq, e.data->>'customerId', e.data->>'status', e.data->>'paymentId',
        (e.data->>'updatedAt')::timestamptz, e.time, e.event_id
      from ${batch} e where e.type = 'entitlement.updated'`,
  "reconciliation.result": (batch) =>
    upsertLatest({
      table: "reconciliation_results",
      key: "run_id, key",
      columns:
        "run_id, key, kind, entity, period_start, period_end, currency, expected_minor, actual_minor, tolerance_minor, event_seq, event_time, event_id, event_source",
      rows: sql`
        select e.data->>'runId' as run_id, e.data->>'key' as key, e.data->>'kind', e.data->>'entity',
          (e.data->>'periodStart')::timestamptz, (e.data->>'periodEnd')::timestamptz, e.data->>'currency',
          (e.data->>'expectedMinor')::bigint, (e.data->>'actualMinor')::bigint,
          coalesce((e.data->>'toleranceMinor')::bigint, 0), e.seq, e.time as event_time, e.event_id,
          e.source as event_source
        from ${batch} e where e.type = 'reconciliation.result'`,
    }),
  "contract.amended": (batch) => sql`
      insert into contract_amendments (event_seq, contract_id, customer_id, entity, effective_from, amended_at,
        currency, amount_impact_minor, event_time, event_id)
      select e.seq, e.data->>'contractId', e.data->>'customerId', e.data->>'entity',
        (e.data->>'effectiveFrom')::timestamptz, (e.data->>'amendedAt')::timestamptz, e.data->>'currency',
        (e.data->>'amountImpactMinor')::bigint, e.time, e.event_id
      from ${batch} e where e.type = 'contract.amended'`,
  "correction.executed": (batch) => sql`
      insert into correction_executions (event_seq, correction_id, status, executed_at, document_ref,
        error_message, event_time, event_id)
      select e.seq, (e.data->>'correctionId')::uuid, e.data->>'status', (e.data->>'executedAt')::timestamptz,
        e.data->>'documentRef', e.data->>'errorMessage', e.time, e.event_id
      from ${batch} e where e.type = 'correction.executed'`,
  "fx.rate": (batch) => sql`
      insert into fx_rates (currency, reporting_currency, effective_date, rate, source, at, event_id, event_seq)
      select distinct on (currency, reporting_currency, effective_date) * from (
        select e.data->>'currency' as currency, e.data->>'reportingCurrency' as reporting_currency,
          (e.data->>'effectiveDate')::date as effective_date, (e.data->>'rate')::numeric as rate,
          'event' as source, e.time as at, e.event_id, e.seq as event_seq
        from ${batch} e where e.type = 'fx.rate'
      ) r
      order by currency, reporting_currency, effective_date, at desc, event_id desc
      on conflict (currency, reporting_currency, effective_date) do update set
        rate = excluded.rate, source = excluded.source, at = excluded.at, event_id = excluded.event_id,
        event_seq = excluded.event_seq, entered_by = null, recorded_at = now()
      where (fx_rates.at, coalesce(fx_rates.event_id, '')) < (excluded.at, excluded.event_id)`,
} satisfies Record<string, (batch: SQL) => SQL>;

type ProjectedType = keyof typeof PROJECTIONS;
export const PROJECTED_EVENT_TYPES = Object.keys(PROJECTIONS) as ProjectedType[];

/** When the newest stored event arrived, or null for an empty store. */
export async function latestReceivedAt(db: Db): Promise<Date | null> {
  const [row] = await queryRows<{ latest: Date | string | null }>(
    db,
    sql`select max(received_at) as latest from events`,
  );
  return row?.latest ? new Date(row.latest) : null;
}
