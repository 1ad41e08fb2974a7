import { z } from "zod";
import { EXCEPTION_STATUSES, EXCEPTION_TYPES, SEVERITIES } from "@/db/schema";
import { moneyAtStakeFields } from "./money";
import { CurrencyCode, pageCursor } from "./primitives";

/*
 * The answers of the read routes behind the dashboard's live views: a queue page, the queue's
 * counts and an entity's close readiness. The OpenAPI document is generated from these, and
 * the contract tests hold the handlers' own types and real answers to them.
 */

const Instant = z.iso.datetime({ offset: true }).meta({ description: "ISO 8601 instant" });
const MinorUnits = z.int().nullable().meta({ description: "Amount in the currency's minor units" });

const SlaTargetResource = z
  .object({
    warningMs: z.int().min(0).meta({ description: "Older than this: a warning" }),
    breachMs: z.int().min(0).meta({ description: "Older than this: the SLA is breached" }),
  })
  .meta({ description: "The SLA of the exception's type, which its age is measured against" });

export const QueueItemResource = z.object({
  id: z.string(),
  type: z.enum(EXCEPTION_TYPES),
  status: z.enum(EXCEPTION_STATUSES),
  severity: z.enum(SEVERITIES),
  title: z.string(),
  entity: z.string().nullable(),
  amountMinor: MinorUnits,
  currency: CurrencyCode.nullable(),
  ...moneyAtStakeFields,
  ownerId: z.string().nullable(),
  ownerLabel: z.string().nullable().meta({ description: "The owner's name or email" }),
  openedAt: Instant,
  updatedAt: Instant,
  closedAt: Instant.nullable(),
  resolutionCode: z.string().nullable(),
  version: z.int().min(1).meta({ description: "Send as If-Match to act on this version" }),
  invoiceId: z.string().nullable(),
  postingId: z.string().nullable(),
  paymentId: z.string().nullable(),
  customerId: z.string().nullable(),
  runId: z.string().nullable(),
  contractId: z.string().nullable(),
  sla: SlaTargetResource,
});

export const QueuePageResponse = z.object({
  items: z.array(QueueItemResource),
  nextCursor: pageCursor("Pass as `after` for the next page; null on the last"),
  previousCursor: pageCursor("Pass as `before` for the previous page; null on the first"),
  asOf: Instant.meta({ description: "When the page was read; ages are measured from it" }),
});

const CappedCount = z.object({
  count: z.int().min(0),
  capped: z.boolean().meta({ description: "True when there are more than `count` (the cap)" }),
});

export const QueueCountsResponse = z.object({
  byType: z
    .record(z.enum(EXCEPTION_TYPES), CappedCount)
    .meta({ description: "Matching exceptions of each type" }),
  total: CappedCount.meta({ description: "Of the selected type, or of every type" }),
  cap: z.int().min(1).meta({ description: "The most a count counts to" }),
  asOf: Instant,
});

const Link = z.object({
  href: z.string(),
  label: z.string(),
  permission: z
    .string()
    .nullable()
    .meta({ description: "The permission its page needs; null when every close reader may" }),
});

const Blocker = z.object({
  kind: z.string().meta({ description: "What blocks, e.g. unposted_invoice" }),
  ref: z.string().meta({ description: "What identifies it in its own system" }),
  label: z.string(),
  detail: z.string().meta({ description: "Why it blocks" }),
  amountMinor: MinorUnits,
  currency: CurrencyCode.nullable(),
  exceptionId: z.string().nullable().meta({ description: "The exception it is worked in" }),
  link: Link,
});

const Check = z.object({
  key: z.string().meta({ description: "e.g. usage_complete, invoices_posted" }),
  title: z.string(),
  passed: z.boolean(),
  explanation: z.string().meta({ description: "The measurement and why it passes or fails" }),
  blockerCount: z.int().min(0).meta({ description: "Every blocker, listed or not" }),
  blockers: z.array(Blocker),
  link: Link,
  queue: Link.nullable().meta({ description: "The exception queue filtered to this check" }),
});

export const CloseReadinessResponse = z.object({
  entity: z.string(),
  period: z.object({
    key: z.string().meta({ description: "YYYY-MM" }),
    label: z.string(),
    start: Instant,
    end: Instant,
  }),
  verdict: z.enum(["go", "no_go"]),
  closed: z
    .object({ closedAt: Instant, closedBy: z.string().nullable() })
    .nullable()
    .meta({ description: "Set once the period is marked closed" }),
  completenessTarget: z.number().min(0).max(1),
  generatedAt: Instant,
  checks: z.array(Check),
});

/** The schemas the read routes add to the document's components, by name. */
export const READ_SCHEMAS: Record<string, z.ZodType> = {
  QueuePage: QueuePageResponse,
  QueueCounts: QueueCountsResponse,
  CloseReadiness: CloseReadinessResponse,
};
