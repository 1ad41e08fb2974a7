import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { expect } from "vitest";
import type { Db } from "@/db/client";
import { exceptions, type ExceptionStatus, type ExceptionType } from "@/db/schema";
import { createUser } from "@/lib/auth/users";
import { SYSTEM_ACTOR } from "@/lib/audit";
import type { CheckKey } from "@/lib/close/checks";
import { setMateriality } from "@/lib/close/materiality";
import { periodFromKey } from "@/lib/close/period";
import { computeCloseReadiness, type CloseReadiness } from "@/lib/close/readiness";
import { ingestItems } from "@/lib/ingest/ingest";
import { testDbForSuite } from "../support/db";

/*
 * Hand-made telemetry for the close-readiness tests. Every test names its own entity
 * (uniqueEntity), so tests sharing a file's database never see each other's rows. The period
 * under test is October 2026: [2026-10-01, 2026-11-01).
 */

export const PERIOD = periodFromKey("2026-10");
export const OCT = (day: number, hour = 0) => new Date(Date.UTC(2026, 9, day, hour)).toISOString();
export const NOV = (day: number, hour = 0) => new Date(Date.UTC(2026, 10, day, hour)).toISOString();
export const SEP = (day: number, hour = 0) => new Date(Date.UTC(2026, 8, day, hour)).toISOString();

export function uniqueEntity(label: string): string {
  return `T-${label}-${randomUUID().slice(0, 8)}`.toUpperCase();
}

interface Envelope {
  source?: string;
  time?: string;
}

function event(type: string, data: Record<string, unknown>, time: string, envelope: Envelope = {}) {
  return {
    specversion: "1.0",
    id: `close-${randomUUID()}`,
    source: envelope.source ?? "urn:test:close",
    type,
    time: envelope.time ?? time,
    data,
  };
}

export type TestEvent = ReturnType<typeof event>;

export async function ingest(db: Db, ...events: TestEvent[]): Promise<void> {
  const result = await ingestItems(db, events, { apiKeyId: null, channel: "api" });
  expect(result.rejected).toEqual([]);
}

export const checkpoint = (
  entity: string,
  o: {
    meter?: string;
    source?: string;
    windowStart: string;
    windowEnd: string;
    expected: number;
    received: number;
    time?: string;
  },
) =>
  event(
    "usage.checkpoint",
    {
      entity,
      meter: o.meter ?? "api_calls",
      windowStart: o.windowStart,
      windowEnd: o.windowEnd,
      expectedCount: o.expected,
      receivedCount: o.received,
    },
    o.windowEnd,
    { source: o.source ?? "urn:test:usage", time: o.time },
  );

export const invoice = (
  entity: string,
  o: {
    invoiceId: string;
    issuedAt: string;
    currency?: string;
    amountMinor?: number;
    periodStart?: string;
    periodEnd?: string;
    customerId?: string;
  },
) =>
  event(
    "invoice.issued",
    {
      invoiceId: o.invoiceId,
      customerId: o.customerId ?? "cus_1",
      entity,
      currency: o.currency ?? "USD",
      amountMinor: o.amountMinor ?? 100_000,
      periodStart: o.periodStart ?? SEP(1),
      periodEnd: o.periodEnd ?? OCT(1),
      issuedAt: o.issuedAt,
    },
    o.issuedAt,
  );

export const posting = (
  entity: string,
  o: {
    invoiceId: string;
    postingId?: string;
    attempt?: number;
    status: "succeeded" | "failed";
    attemptedAt: string;
    errorCode?: string;
    errorMessage?: string;
  },
) =>
  event(
    "erp.posting.attempted",
    {
      postingId: o.postingId ?? `PST-${o.invoiceId}`,
      invoiceId: o.invoiceId,
      entity,
      attempt: o.attempt ?? 1,
      status: o.status,
      attemptedAt: o.attemptedAt,
      ...(o.errorCode ? { errorCode: o.errorCode } : {}),
      ...(o.errorMessage ? { errorMessage: o.errorMessage } : {}),
    },
    o.attemptedAt,
  );

/**
 * An invoice of `entity` issued at `issuedAt` whose first ERP posting attempt, at `attemptedAt`,
 * failed with `errorCode`: an invoice not posted (yet).
 */
export const failedFirstPosting = (
  entity: string,
  invoiceId: string,
  times: { issuedAt: string; attemptedAt: string },
  errorCode: string,
  invoiceFields: { amountMinor?: number } = {},
) => [
  invoice(entity, { invoiceId, issuedAt: times.issuedAt, ...invoiceFields }),
  posting(entity, { invoiceId, status: "failed", attemptedAt: times.attemptedAt, errorCode }),
];

export const dispute = (o: {
  invoiceId: string;
  amountMinor?: number;
  reason?: string;
  time?: string;
}) =>
  event(
    "invoice.disputed",
    {
      invoiceId: o.invoiceId,
      reason: o.reason ?? "Usage double-counted",
      ...(o.amountMinor !== undefined ? { amountMinor: o.amountMinor } : {}),
    },
    o.time ?? OCT(20),
  );

export const reconciliation = (
  entity: string,
  o: {
    runId?: string;
    key: string;
    currency?: string;
    expected: number;
    actual: number;
    tolerance?: number;
    periodStart?: string;
    periodEnd?: string;
    time?: string;
  },
) =>
  event(
    "reconciliation.result",
    {
      runId: o.runId ?? `rec-${entity}-2026-10`,
      kind: "billing_vs_erp",
      entity,
      periodStart: o.periodStart ?? OCT(1),
      periodEnd: o.periodEnd ?? NOV(1),
      key: o.key,
      currency: o.currency ?? "USD",
      expectedMinor: o.expected,
      actualMinor: o.actual,
      toleranceMinor: o.tolerance ?? 0,
    },
    o.time ?? NOV(2),
  );

export const amendment = (
  entity: string,
  o: {
    contractId: string;
    effectiveFrom: string;
    amendedAt: string;
    currency?: string;
    impact?: number;
  },
) =>
  event(
    "contract.amended",
    {
      contractId: o.contractId,
      customerId: "cus_1",
      entity,
      effectiveFrom: o.effectiveFrom,
      amendedAt: o.amendedAt,
      currency: o.currency ?? "USD",
      amountImpactMinor: o.impact ?? -25_000,
    },
    o.amendedAt,
  );

/**
 * Puts an exception in the given state as the exception workflow would: the detectors that run
 * during ingestion may already have raised it under the same (type, problem_key), in which case
 * its status (and amount, if given) is set; otherwise it is inserted. Problem keys follow
 * db/queries/exception-sync.ts: the invoice id for a dispute, the posting id for a posting,
 * "runId/key" for a break, "contractId@eventId" for an amendment.
 */
export async function upsertException(
  db: Db,
  o: {
    type: ExceptionType;
    status: ExceptionStatus;
    entity: string;
    problemKey?: string;
    title?: string;
    invoiceId?: string;
    contractId?: string;
    runId?: string;
    amountMinor?: number;
    currency?: string;
  },
) {
  const values = {
    type: o.type,
    problemKey: o.problemKey ?? `${o.type}:${randomUUID()}`,
    status: o.status,
    title: o.title ?? `${o.type} for test`,
    entity: o.entity,
    invoiceId: o.invoiceId ?? null,
    contractId: o.contractId ?? null,
    runId: o.runId ?? null,
    amountMinor: o.amountMinor ?? null,
    currency: o.currency ?? null,
  };
  const [row] = await db
    .insert(exceptions)
    .values(values)
    .onConflictDoUpdate({
      target: [exceptions.type, exceptions.problemKey],
      set: {
        status: o.status,
        ...(o.title ? { title: o.title } : {}),
        ...(o.amountMinor !== undefined
          ? { amountMinor: o.amountMinor, currency: o.currency ?? null }
          : {}),
      },
    })
    .returning();
  return row!;
}

/** Forgets the exceptions of an invoice, as if the detectors had not run on it yet. */
export async function forgetInvoiceExceptions(db: Db, invoiceId: string) {
  await db.delete(exceptions).where(eq(exceptions.invoiceId, invoiceId));
}

export async function makeUser(db: Db, role: "finance" | "executive" | "admin" = "finance") {
  return createUser(
    db,
    { email: `${role}-${randomUUID().slice(0, 8)}@close.test`, role },
    SYSTEM_ACTOR,
  );
}

/** Usage that is complete, so only the check under test decides the verdict. */
export const completeUsage = (entity: string) =>
  checkpoint(entity, {
    windowStart: OCT(15),
    windowEnd: OCT(15, 1),
    expected: 1000,
    received: 1000,
  });

/**
 * A readiness test file's database (created before its first test, as testDbForSuite's),
 * close readiness for October 2026 on it, and materiality set by the system.
 */
export function readinessSuite() {
  const t = testDbForSuite();
  return {
    t,
    readiness: (entity: string, completenessTarget?: number) =>
      computeCloseReadiness(t.db, { entity, period: PERIOD, completenessTarget }),
    materiality: (entity: string, currency: string, thresholdMinor: number) =>
      setMateriality(
        t.db,
        { entity, currency, thresholdMinor },
        { userId: null, actor: SYSTEM_ACTOR },
      ),
  };
}

/** One check of a readiness report, by its key. */
export const check = (report: CloseReadiness, key: CheckKey) =>
  report.checks.find((c) => c.key === key)!;
