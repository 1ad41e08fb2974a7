import { z } from "zod";
import { EXCEPTION_STATUSES, EXCEPTION_TYPES } from "@/db/schema";
import { CurrencyCode, Timestamp } from "./primitives";

/*
 * The revenue thread and search over HTTP: GET /api/v1/threads/invoice/{id},
 * GET /api/v1/threads/customer/{id} and GET /api/v1/search. The handlers answer these shapes
 * (lib/thread/) and the OpenAPI document is generated from them (thread-openapi.ts).
 */

const Instant = z.iso.datetime({ offset: true }).meta({ description: "ISO 8601 instant" });

/** The five stages money passes through, in the order the thread lists them. */
export const THREAD_STAGES = ["usage", "invoice", "erp_posting", "payment", "entitlement"] as const;
export type ThreadStage = (typeof THREAD_STAGES)[number];

export const HOP_STATUSES = ["done", "late", "stuck", "pending", "not_applicable"] as const;
export type HopStatus = (typeof HOP_STATUSES)[number];

const HopItem = z.object({
  label: z.string().meta({ description: "What this is, e.g. attempt 2 of PST-1" }),
  detail: z.string().meta({ description: "What happened, in words" }),
  at: Instant.nullable(),
  href: z.string().nullable().meta({ description: "The record's page (often the raw event)" }),
});

export const ThreadHopResource = z.object({
  stage: z.enum(THREAD_STAGES),
  label: z.string().meta({ description: "The stage in words" }),
  status: z.enum(HOP_STATUSES).meta({
    description:
      "done; late: over its target; stuck: failed, or overdue with nothing after it; pending: not yet due; not_applicable",
  }),
  at: Instant.nullable().meta({ description: "When the stage was reached, if it was" }),
  durationMs: z
    .number()
    .nullable()
    .meta({ description: "at minus the at of the nearest earlier hop that has one" }),
  targetMs: z
    .number()
    .nullable()
    .meta({ description: "The KPI target the duration is held to; null when none is set" }),
  target: z.string().nullable().meta({ description: "The target in words (a ratio for usage)" }),
  summary: z.string().meta({ description: "The hop in one sentence" }),
  items: z.array(HopItem).meta({ description: "Meters, attempts, payments or updates behind it" }),
});

export const ThreadExceptionResource = z.object({
  id: z.string(),
  type: z.enum(EXCEPTION_TYPES),
  status: z.enum(EXCEPTION_STATUSES),
  title: z.string(),
  openedAt: Instant,
  href: z.string(),
});

const InvoiceSummary = z.object({
  invoiceId: z.string(),
  customerId: z.string(),
  entity: z.string(),
  currency: CurrencyCode,
  amountMinor: z.int(),
  periodStart: Instant,
  periodEnd: Instant,
  issuedAt: Instant,
});

export const InvoiceThreadResource = z.object({
  invoice: InvoiceSummary,
  hops: z.array(ThreadHopResource).meta({ description: "One per stage, in stage order" }),
  stuckStage: z.enum(THREAD_STAGES).nullable().meta({
    description: "The first stage that is stuck or late (the one `sentence` names), or null",
  }),
  sentence: z.string().meta({ description: "Where the money is, in one sentence" }),
  exceptions: z.array(ThreadExceptionResource),
  asOf: Instant.meta({ description: "The instant pending and overdue were judged at" }),
});

export const CustomerEntitlementResource = z.object({
  entitled: z
    .boolean()
    .nullable()
    .meta({ description: "Whether the latest entitlement is active; null when none arrived" }),
  status: z.enum(["active", "restricted", "suspended"]).nullable(),
  since: Instant.nullable(),
  why: z
    .string()
    .meta({ description: "The answer to: is this customer entitled, and if not, why?" }),
});

export const CustomerThreadResource = z.object({
  customerId: z.string(),
  range: z.object({ from: Instant, to: Instant }),
  entitlement: CustomerEntitlementResource,
  invoices: z
    .array(InvoiceThreadResource)
    .meta({ description: "Threads of the invoices issued in the range, newest first" }),
  invoicesTruncated: z.boolean().meta({ description: "True when more invoices are in the range" }),
  openExceptions: z.array(ThreadExceptionResource),
  amendments: z.array(
    z.object({
      contractId: z.string(),
      entity: z.string(),
      effectiveFrom: Instant,
      amendedAt: Instant,
      currency: CurrencyCode,
      amountImpactMinor: z.int(),
      href: z.string(),
    }),
  ),
  disputes: z.array(
    z.object({
      invoiceId: z.string(),
      reason: z.string(),
      amountMinor: z.int().nullable(),
      at: Instant,
      href: z.string(),
    }),
  ),
  asOf: Instant,
});

export const ContractThreadResource = z.object({
  contractId: z.string(),
  customerId: z.string().meta({ description: "The customer of its latest amendment" }),
  customerHref: z.string(),
  amendments: z
    .array(
      z.object({
        entity: z.string(),
        effectiveFrom: Instant,
        amendedAt: Instant,
        currency: CurrencyCode,
        amountImpactMinor: z.int(),
        retroactive: z.boolean().meta({
          description: "Effective before the month it was made in, or in a closed period",
        }),
        href: z.string().meta({ description: "The amendment's raw event" }),
        exception: ThreadExceptionResource.pick({ id: true, status: true, href: true })
          .nullable()
          .meta({ description: "The retroactive_amendment exception it raised, if any" }),
        invoices: z
          .array(
            z.object({
              invoiceId: z.string(),
              currency: CurrencyCode,
              amountMinor: z.int(),
              periodStart: Instant,
              periodEnd: Instant,
              issuedAt: Instant,
              billedBeforeAmendment: z.boolean().meta({
                description: "Issued before the amendment was made: billed on the old terms",
              }),
              href: z.string().meta({ description: "The invoice's thread" }),
            }),
          )
          .meta({
            description: "The customer's invoices for the entity billed from its effective date",
          }),
        invoicesTruncated: z.boolean(),
        periods: z
          .array(z.object({ periodStart: Instant, periodEnd: Instant, closed: z.boolean() }))
          .meta({
            description: "Recorded accounting periods from its effective date to when it was made",
          }),
      }),
    )
    .meta({ description: "Oldest first" }),
  asOf: Instant,
});

/** GET /api/v1/threads/customer/{id}: the range of invoices to follow (issued in [from, to)). */
export const CustomerThreadQuery = z
  .object({ from: Timestamp.optional(), to: Timestamp.optional() })
  .refine((q) => !q.from === !q.to, { message: "from and to go together", path: ["to"] })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) < Date.parse(q.to), {
    message: "must be after from",
    path: ["to"],
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.to) - Date.parse(q.from) <= 366 * 86_400_000, {
    message: "the range may span at most 366 days",
    path: ["to"],
  });

export const SEARCH_KINDS = [
  "customer",
  "invoice",
  "posting",
  "payment",
  "contract",
  "reconciliation_run",
  "exception",
  "incident",
  "event",
] as const;
export type SearchKind = (typeof SEARCH_KINDS)[number];

export const SearchQuery = z.object({
  q: z.string().trim().min(1, "must not be empty").max(200, "must be at most 200 characters"),
});

export const SearchResponse = z.object({
  results: z.array(
    z.object({
      kind: z.enum(SEARCH_KINDS),
      id: z.string(),
      title: z.string(),
      url: z.string().meta({ description: "The thread or record to open" }),
    }),
  ),
});

export const THREAD_SCHEMAS: Record<string, z.ZodType> = {
  ThreadHop: ThreadHopResource,
  ThreadException: ThreadExceptionResource,
  InvoiceThread: InvoiceThreadResource,
  CustomerThread: CustomerThreadResource,
  ContractThread: ContractThreadResource,
  SearchResults: SearchResponse,
};

export type InvoiceThread = z.infer<typeof InvoiceThreadResource>;
export type ThreadHop = z.infer<typeof ThreadHopResource>;
export type ThreadException = z.infer<typeof ThreadExceptionResource>;
export type CustomerThread = z.infer<typeof CustomerThreadResource>;
export type ContractThread = z.infer<typeof ContractThreadResource>;
export type CustomerEntitlement = z.infer<typeof CustomerEntitlementResource>;
export type SearchResult = z.infer<typeof SearchResponse>["results"][number];
