import type { Db } from "@/db/client";
import { event, ingest, unique } from "../exceptions/support";

/*
 * Telemetry for the thread tests, through the real ingestion: each invoice gets an entity
 * of its own, so its usage is exactly the checkpoints a test gives it.
 */

export interface InvoiceSpec {
  invoiceId?: string;
  customerId?: string;
  entity?: string;
  amountMinor?: number;
  periodStart?: string;
  periodEnd?: string;
  issuedAt: string;
}

export function invoiceEvent(spec: InvoiceSpec & { invoiceId: string; entity: string }) {
  return event(
    "invoice.issued",
    {
      invoiceId: spec.invoiceId,
      customerId: spec.customerId ?? "cus_thread",
      entity: spec.entity,
      currency: "USD",
      amountMinor: spec.amountMinor ?? 125_000,
      periodStart: spec.periodStart ?? "2025-02-01T00:00:00Z",
      periodEnd: spec.periodEnd ?? "2025-03-01T00:00:00Z",
      issuedAt: spec.issuedAt,
    },
    spec.issuedAt,
  );
}

export const usageEvent = (
  entity: string,
  windowStart: string,
  windowEnd: string,
  expectedCount: number,
  receivedCount: number,
) =>
  event(
    "usage.checkpoint",
    { entity, meter: "api_calls", windowStart, windowEnd, expectedCount, receivedCount },
    windowEnd,
  );

export const attemptEvent = (
  postingId: string,
  invoiceId: string,
  entity: string,
  attempt: number,
  status: "succeeded" | "failed",
  at: string,
  errorCode = "TAX_CODE_MISSING",
) =>
  event(
    "erp.posting.attempted",
    {
      postingId,
      invoiceId,
      entity,
      attempt,
      status,
      attemptedAt: at,
      ...(status === "failed" ? { errorCode, errorMessage: "No tax code for the line" } : {}),
    },
    at,
  );

/** An attempt at posting the invoice to the ERP, under the posting id `PST-<invoice id>`. */
export const invoicePostingAttempt = (
  invoice: { invoiceId: string; entity: string },
  attempt: number,
  status: "succeeded" | "failed",
  at: string,
) =>
  attemptEvent(`PST-${invoice.invoiceId}`, invoice.invoiceId, invoice.entity, attempt, status, at);

export const paymentEvent = (
  paymentId: string,
  customerId: string,
  invoiceId: string | null,
  amountMinor: number,
  at: string,
) =>
  event(
    "payment.received",
    {
      paymentId,
      customerId,
      ...(invoiceId ? { invoiceId } : {}),
      currency: "USD",
      amountMinor,
      receivedAt: at,
    },
    at,
  );

export const entitlementEvent = (
  customerId: string,
  status: "active" | "restricted" | "suspended",
  at: string,
  paymentId?: string,
  reason?: string,
) =>
  event(
    "entitlement.updated",
    {
      customerId,
      status,
      ...(paymentId ? { paymentId } : {}),
      ...(reason ? { reason } : {}),
      updatedAt: at,
    },
    at,
  );

/** Ingests the events, failing the test if any is rejected. */
export async function ingestAll(db: Db, events: unknown[]) {
  const [result] = await ingest(db, events);
  const rejected = (result as { rejected?: unknown[] }).rejected ?? [];
  if (rejected.length > 0) throw new Error(`rejected: ${JSON.stringify(rejected)}`);
}

export const ids = (prefix: string) => ({
  invoiceId: unique(`INV-${prefix}`),
  entity: unique(`ENT-${prefix}`).toUpperCase(),
  customerId: unique(`cus_${prefix}`),
});
