import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { expect } from "vitest";
import type { Db } from "@/db/client";
import type { EventType } from "@/lib/contract";
import { ingestItems } from "@/lib/ingest/ingest";
import { computeKpis, type KpiReport } from "@/lib/kpi/engine";
import type { ExampleEvent } from "@/lib/contract/examples";

/*
 * Fixture builders for the KPI tests. Every fixture goes in as a CloudEvent through the real
 * ingestion (validation, storage, projection), so the tests also hold the engine to the
 * projection it reads. Each test works in a time range of its own (a different day or
 * month of 2025, long before the test runs), so tests in one file never see each other's
 * events and never those stamped with the real "now".
 */

export const SOURCE = "/tests/kpi";
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** An event as a producer sends it: the contract's example shape. */
export type FixtureEvent = ExampleEvent;

interface Meta {
  /** The event's own time; defaults to a moment that does not matter for the KPI. */
  time?: string;
  source?: string;
  id?: string;
}

function event(type: EventType, data: Record<string, unknown>, meta: Meta = {}): FixtureEvent {
  return {
    specversion: "1.0",
    id: meta.id ?? `kpi-${randomUUID()}`,
    source: meta.source ?? SOURCE,
    type,
    time: meta.time ?? "2025-01-01T00:00:00Z",
    data,
  };
}

export function checkpoint(
  d: {
    entity: string;
    meter: string;
    windowStart: string;
    windowEnd: string;
    expectedCount: number;
    receivedCount: number;
  },
  meta?: Meta,
) {
  return event("usage.checkpoint", d, { time: d.windowEnd, ...meta });
}

export function invoice(
  d: { invoiceId: string; entity: string; periodEnd: string; issuedAt: string; currency?: string },
  meta?: Meta,
) {
  return event(
    "invoice.issued",
    {
      customerId: "cus_1",
      currency: "EUR",
      amountMinor: 10_000,
      periodStart: new Date(Date.parse(d.periodEnd) - 30 * DAY).toISOString(),
      ...d,
    },
    { time: d.issuedAt, ...meta },
  );
}

export function attempt(
  d: {
    postingId: string;
    invoiceId: string;
    entity: string;
    attempt: number;
    status: "succeeded" | "failed";
    attemptedAt: string;
    errorCode?: string;
  },
  meta?: Meta,
) {
  return event("erp.posting.attempted", d, { time: d.attemptedAt, ...meta });
}

/** The attempts of one ERP posting, one call an attempt: `(attempt, status, attemptedAt, errorCode?)`. */
export function postingAttempts(postingId: string, invoiceId: string, entity: string) {
  return (
    n: number,
    status: "succeeded" | "failed",
    attemptedAt: string,
    errorCode?: string,
  ): FixtureEvent =>
    attempt({
      postingId,
      invoiceId,
      entity,
      attempt: n,
      status,
      attemptedAt,
      ...(errorCode === undefined ? {} : { errorCode }),
    });
}

export function payment(
  d: { paymentId: string; invoiceId?: string; receivedAt: string; currency?: string },
  meta?: Meta,
) {
  return event(
    "payment.received",
    { customerId: "cus_1", currency: "EUR", amountMinor: 10_000, ...d },
    { time: d.receivedAt, ...meta },
  );
}

export function entitlement(
  d: { paymentId?: string; updatedAt: string; customerId?: string },
  meta?: Meta,
) {
  return event(
    "entitlement.updated",
    { customerId: "cus_1", status: "active", ...d },
    { time: d.updatedAt, ...meta },
  );
}

export function reconResult(
  d: {
    runId: string;
    key: string;
    kind: "usage_vs_billing" | "billing_vs_erp" | "payments_vs_ar";
    entity: string;
    periodEnd: string;
    currency: string;
    expectedMinor: number;
    actualMinor: number;
    toleranceMinor?: number;
  },
  meta?: Meta,
) {
  return event(
    "reconciliation.result",
    { periodStart: new Date(Date.parse(d.periodEnd) - 30 * DAY).toISOString(), ...d },
    { time: d.periodEnd, ...meta },
  );
}

export function disputed(d: { invoiceId: string }, meta?: Meta) {
  return event("invoice.disputed", { reason: "test", ...d }, meta);
}

/** Ingests events in one batch each, in the order given (arrival order is part of some tests). */
export async function ingest(db: Db, ...batches: FixtureEvent[][]): Promise<void> {
  for (const batch of batches) {
    const result = await ingestItems(db, batch, { apiKeyId: null, channel: "api" });
    expect(result.rejected).toEqual([]);
    expect(result.accepted).toBe(batch.length);
  }
}

/**
 * `received_at` is set by the database at ingestion (now()); the lag fixtures need it at a
 * chosen moment, which only a direct update can give.
 */
export async function setReceivedAt(db: Db, e: FixtureEvent, receivedAt: string): Promise<void> {
  await db.execute(
    sql`update events set received_at = ${receivedAt}::timestamptz where source = ${e.source} and event_id = ${e.id}`,
  );
}

export function kpis(
  db: Db,
  from: string,
  to: string,
  options: { entity?: string; now?: string } = {},
): Promise<KpiReport> {
  return computeKpis(
    db,
    { from: new Date(from), to: new Date(to), entity: options.entity ?? null },
    { now: new Date(options.now ?? to) },
  );
}

/** The report for one whole UTC day, `day` as YYYY-MM-DD: [day 00:00, next day 00:00). */
export function kpisOnDay(
  db: Db,
  day: string,
  options: { entity?: string; now?: string } = {},
): Promise<KpiReport> {
  const from = new Date(`${day}T00:00:00Z`);
  const to = new Date(from.getTime() + DAY).toISOString().replace(".000Z", "Z");
  return kpis(db, from.toISOString(), to, options);
}

/** One figure of the report for one whole UTC day (kpisOnDay's range). */
export async function figureOnDay<Figure extends keyof KpiReport>(
  db: Db,
  day: string,
  figure: Figure,
): Promise<KpiReport[Figure]> {
  return (await kpisOnDay(db, day))[figure];
}

/**
 * Ranges of about a month from `start`, the first of a month at 00:00 (March 2025 in the tests
 * that use them): read as the month's row less its first days (or its last), then the next
 * month's days.
 */
export function monthRanges(start: number) {
  return [
    {
      name: "most of a month, from mid-day",
      from: start + 2 * DAY + 5 * HOUR,
      to: start + 32 * DAY + 7 * HOUR,
    },
    {
      name: "to mid-day on a month's last day",
      from: start - 9 * DAY,
      to: start + 30 * DAY + 12 * HOUR,
    },
    { name: "one calendar month", from: start, to: start + 31 * DAY },
  ];
}

/** One bucket of a report's series, by its label. */
export function bucket(report: KpiReport, label: string) {
  const found = report.series.find((s) => s.bucket === label);
  if (!found)
    throw new Error(`no bucket ${label} in ${report.series.map((s) => s.bucket).join(", ")}`);
  return found;
}

export function entityRow(report: KpiReport, entity: string) {
  const found = report.byEntity.find((s) => s.entity === entity);
  if (!found)
    throw new Error(`no entity ${entity} in ${report.byEntity.map((s) => s.entity).join(", ")}`);
  return found;
}

/** `rowsOf` each item in turn, concatenated: the rows an answer lists in that order. */
export async function rowsInOrder<Item, Row>(
  items: readonly Item[],
  rowsOf: (item: Item) => Promise<Row[]>,
): Promise<Row[]> {
  const rows: Row[] = [];
  for (const item of items) rows.push(...(await rowsOf(item)));
  return rows;
}
