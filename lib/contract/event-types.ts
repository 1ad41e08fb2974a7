import { z } from "zod";
import {
  Count,
  CurrencyCode,
  EntityCode,
  Identifier,
  MinorUnits,
  NonNegativeMinorUnits,
  Timestamp,
} from "./primitives";

/*
 * The event types Closeline understands and the shape of their `data`. This file is the one
 * source for validation, for the TypeScript types (z.infer), for GET /api/v1/openapi.json
 * and for docs/ingestion.md (npm run docs:contract). Objects are loose: fields we do not
 * know are kept in the stored event, not refused.
 */

/** An exact decimal as a string: up to 12 digits either side of the point. */
const DecimalAmount = z
  .string()
  .regex(
    /^(0|[1-9]\d{0,11})(\.\d{1,12})?$/,
    "must be a decimal string with at most 12 digits either side of the point",
  );

const before = (a: string, b: string) => Date.parse(a) < Date.parse(b);
const notAfter = (a: string, b: string) => Date.parse(a) <= Date.parse(b);

export const UsageCheckpointData = z
  .looseObject({
    entity: EntityCode,
    meter: Identifier.meta({ description: "Usage meter, e.g. api_calls" }),
    windowStart: Timestamp,
    windowEnd: Timestamp,
    expectedCount: Count.meta({ description: "Usage records the producer emitted for the window" }),
    receivedCount: Count.meta({ description: "Usage records the billing platform received" }),
    rejectedCount: Count.optional(),
    unitPrice: DecimalAmount.optional().meta({
      description:
        "The meter's price per usage record in major units of currency (e.g. \"0.0004\"), when the producer knows it: a window's missing records are priced at it as the amount at risk",
      example: "0.0004",
    }),
    currency: CurrencyCode.optional().meta({ description: "The currency of unitPrice" }),
  })
  .refine((d) => before(d.windowStart, d.windowEnd), {
    path: ["windowEnd"],
    message: "must be after windowStart",
  })
  .refine((d) => d.unitPrice === undefined || d.currency !== undefined, {
    path: ["currency"],
    message: "is required with unitPrice",
  });

export const InvoiceIssuedData = z
  .looseObject({
    invoiceId: Identifier,
    customerId: Identifier,
    entity: EntityCode,
    currency: CurrencyCode,
    amountMinor: NonNegativeMinorUnits,
    periodStart: Timestamp,
    periodEnd: Timestamp,
    issuedAt: Timestamp,
  })
  .refine((d) => notAfter(d.periodStart, d.periodEnd), {
    path: ["periodEnd"],
    message: "must not be before periodStart",
  });

export const InvoiceDisputedData = z.looseObject({
  invoiceId: Identifier,
  reason: z.string().min(1, "must not be empty").max(2000),
  amountMinor: NonNegativeMinorUnits.optional(),
});

export const ErpPostingAttemptedData = z.looseObject({
  postingId: Identifier,
  invoiceId: Identifier,
  entity: EntityCode,
  attempt: z.int().min(1, "must be 1 or more"),
  status: z.enum(["succeeded", "failed"]),
  attemptedAt: Timestamp,
  errorCode: z.string().max(200).optional(),
  errorMessage: z.string().max(4000).optional(),
});

export const PaymentReceivedData = z.looseObject({
  paymentId: Identifier,
  customerId: Identifier,
  invoiceId: Identifier.optional(),
  entity: EntityCode.optional().meta({
    description:
      "The legal entity that received the payment. The entity of the invoice it pays comes first; this one counts for a payment naming no invoice Closeline knows (unapplied cash)",
  }),
  currency: CurrencyCode,
  amountMinor: NonNegativeMinorUnits,
  receivedAt: Timestamp,
});

export const EntitlementUpdatedData = z.looseObject({
  customerId: Identifier,
  status: z.enum(["active", "restricted", "suspended"]),
  paymentId: Identifier.optional(),
  updatedAt: Timestamp,
});

export const RECONCILIATION_KINDS = [
  "usage_vs_billing",
  "billing_vs_erp",
  "payments_vs_ar",
] as const;

export const ReconciliationResultData = z
  .looseObject({
    runId: Identifier,
    kind: z.enum(RECONCILIATION_KINDS),
    entity: EntityCode,
    periodStart: Timestamp,
    periodEnd: Timestamp,
    key: Identifier.meta({ description: "What was compared, e.g. a customer or account id" }),
    currency: CurrencyCode,
    expectedMinor: MinorUnits,
    actualMinor: MinorUnits,
    toleranceMinor: NonNegativeMinorUnits.default(0),
  })
  .refine((d) => notAfter(d.periodStart, d.periodEnd), {
    path: ["periodEnd"],
    message: "must not be before periodStart",
  });

export const ContractAmendedData = z.looseObject({
  contractId: Identifier,
  customerId: Identifier,
  entity: EntityCode,
  effectiveFrom: Timestamp,
  amendedAt: Timestamp,
  currency: CurrencyCode,
  amountImpactMinor: MinorUnits,
});

export const CorrectionExecutedData = z
  .looseObject({
    correctionId: z.uuid().meta({
      description:
        "The correction's id, as sent in the correction.execute command (data.correctionId)",
    }),
    status: z.enum(["executed", "failed"]),
    executedAt: Timestamp,
    documentRef: z
      .string()
      .max(200)
      .optional()
      .meta({ description: "What the target system booked, e.g. the credit note number" }),
    errorMessage: z.string().max(4000).optional(),
  })
  .refine((d) => d.status === "executed" || !!d.errorMessage, {
    path: ["errorMessage"],
    message: "is required when status is failed",
  });

export const FxRateData = z
  .looseObject({
    currency: CurrencyCode.meta({ description: "The currency the rate converts from" }),
    reportingCurrency: CurrencyCode.meta({ description: "The currency it converts into" }),
    rate: DecimalAmount.refine((rate) => /[1-9]/.test(rate), "must be above zero").meta({
      description:
        "Units of reportingCurrency per one unit of currency, as an exact decimal string",
      example: "1.0825",
    }),
    effectiveDate: z.iso.date().meta({
      description:
        "The first UTC day the rate applies; it holds until the pair's next effectiveDate",
    }),
  })
  .refine((d) => d.currency !== d.reportingCurrency, {
    path: ["reportingCurrency"],
    message: "must differ from currency",
  });

export const EVENT_TYPES = {
  "usage.checkpoint": {
    data: UsageCheckpointData,
    summary:
      "Received vs expected usage for one meter and window. A later checkpoint (by event time) for the same source, entity, meter and window supersedes the earlier one.",
    example: {
      entity: "ACME-US",
      meter: "api_calls",
      windowStart: "2026-11-01T10:00:00Z",
      windowEnd: "2026-11-01T11:00:00Z",
      expectedCount: 120000,
      receivedCount: 119874,
      rejectedCount: 12,
      unitPrice: "0.0004",
      currency: "USD",
    },
  },
  "invoice.issued": {
    data: InvoiceIssuedData,
    summary: "The billing platform issued an invoice.",
    example: {
      invoiceId: "INV-2026-10-0042",
      customerId: "cus_0042",
      entity: "ACME-US",
      currency: "USD",
      amountMinor: 129900,
      periodStart: "2026-10-01T00:00:00Z",
      periodEnd: "2026-11-01T00:00:00Z",
      issuedAt: "2026-11-01T06:12:00Z",
    },
  },
  "invoice.disputed": {
    data: InvoiceDisputedData,
    summary: "A customer disputed an invoice, in full or for an amount.",
    example: {
      invoiceId: "INV-2026-10-0042",
      reason: "Usage double-counted on Oct 14",
      amountMinor: 15000,
    },
  },
  "erp.posting.attempted": {
    data: ErpPostingAttemptedData,
    summary: "One attempt to post an invoice to the ERP, successful or not.",
    example: {
      postingId: "PST-0042",
      invoiceId: "INV-2026-10-0042",
      entity: "ACME-US",
      attempt: 1,
      status: "failed",
      attemptedAt: "2026-11-01T06:15:00Z",
      errorCode: "GL_PERIOD_CLOSED",
      errorMessage: "Accounting period 2026-10 is closed for posting",
    },
  },
  "payment.received": {
    data: PaymentReceivedData,
    summary: "A payment was received from a customer.",
    example: {
      paymentId: "pay_9001",
      customerId: "cus_0042",
      invoiceId: "INV-2026-10-0042",
      currency: "USD",
      amountMinor: 129900,
      receivedAt: "2026-11-12T09:30:00Z",
    },
  },
  "entitlement.updated": {
    data: EntitlementUpdatedData,
    summary: "The product changed a customer's entitlement, possibly because of a payment.",
    example: {
      customerId: "cus_0042",
      status: "active",
      paymentId: "pay_9001",
      updatedAt: "2026-11-12T09:31:10Z",
    },
  },
  "reconciliation.result": {
    data: ReconciliationResultData,
    summary:
      "One compared key of a reconciliation run. The latest result per runId and key counts; a break is |actual - expected| > tolerance.",
    example: {
      runId: "rec-2026-10-ACME-US-billing_vs_erp",
      kind: "billing_vs_erp",
      entity: "ACME-US",
      periodStart: "2026-10-01T00:00:00Z",
      periodEnd: "2026-11-01T00:00:00Z",
      key: "cus_0042",
      currency: "USD",
      expectedMinor: 129900,
      actualMinor: 114900,
      toleranceMinor: 100,
    },
  },
  "contract.amended": {
    data: ContractAmendedData,
    summary:
      "A contract was amended; effectiveFrom before the amendment's month makes it retroactive.",
    example: {
      contractId: "ctr_0042",
      customerId: "cus_0042",
      entity: "ACME-US",
      effectiveFrom: "2026-10-01T00:00:00Z",
      amendedAt: "2026-11-20T14:00:00Z",
      currency: "USD",
      amountImpactMinor: -25000,
    },
  },
  "correction.executed": {
    data: CorrectionExecutedData,
    summary:
      "The target system of an approved correction reports carrying it out (closing the corrected exception) or failing to (handing it back to people).",
    example: {
      correctionId: "5f0c1d9e-3a4b-4c5d-8e6f-7a8b9c0d1e2f",
      status: "executed",
      executedAt: "2026-11-21T09:05:00Z",
      documentRef: "CN-2026-0042",
    },
  },
  "fx.rate": {
    data: FxRateData,
    summary:
      "An exchange rate into a reporting currency from a day on. Exceptions opened on or after that day (until the pair's next rate) are converted at it; of two rates for one pair and day the later event (by time, then id) stands.",
    example: {
      currency: "EUR",
      reportingCurrency: "USD",
      rate: "1.0825",
      effectiveDate: "2026-11-01",
    },
  },
} as const satisfies Record<
  string,
  { data: z.ZodType; summary: string; example: Record<string, unknown> }
>;

export type EventType = keyof typeof EVENT_TYPES;
export const EVENT_TYPE_NAMES = Object.keys(EVENT_TYPES) as EventType[];

export type EventData<T extends EventType> = z.output<(typeof EVENT_TYPES)[T]["data"]>;

export function isEventType(type: string): type is EventType {
  return Object.hasOwn(EVENT_TYPES, type);
}
