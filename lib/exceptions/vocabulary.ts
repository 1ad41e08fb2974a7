import type { ExceptionSort } from "@/db/queries/exceptions";
import {
  CLOSED_EXCEPTION_STATUSES,
  COMMENT_MAX_LENGTH,
  type ExceptionStatus,
  type ExceptionType,
  type Severity,
} from "@/db/schema/exception-vocabulary";

export { COMMENT_MAX_LENGTH, type ExceptionStatus, type ExceptionType, type Severity };

/*
 * The words the queues use for types, statuses, severities and sorts. Client components
 * import this file, so it holds plain data and type-only imports (no database code reaches
 * the browser); the Record types make TypeScript list every value the schema defines.
 */

export const TYPE_LABELS: Record<ExceptionType, string> = {
  erp_posting_failed: "ERP posting failed",
  invoice_disputed: "Invoice disputed",
  reconciliation_break: "Reconciliation break",
  entitlement_out_of_sync: "Entitlement out of sync",
  retroactive_amendment: "Retroactive amendment",
  usage_incomplete: "Usage incomplete",
  event_rejected: "Events rejected",
};
export const TYPES = Object.keys(TYPE_LABELS) as ExceptionType[];

export const STATUS_LABELS: Record<ExceptionStatus, string> = {
  open: "Open",
  in_progress: "In progress",
  awaiting_approval: "Awaiting approval",
  awaiting_confirmation: "Awaiting confirmation",
  resolved: "Resolved",
  dismissed: "Dismissed",
};
export const STATUSES = Object.keys(STATUS_LABELS) as ExceptionStatus[];
export { CLOSED_EXCEPTION_STATUSES as CLOSED_STATUSES };

export const SEVERITY_LABELS: Record<Severity, string> = {
  critical: "Critical",
  high: "High",
  medium: "Medium",
  low: "Low",
};

export const SORT_LABELS: Record<ExceptionSort, string> = {
  opened_at: "Age",
  severity: "Severity",
  amount: "Amount at risk",
  reporting_amount: "Amount at risk in the reporting currency",
};
export const SORTS = Object.keys(SORT_LABELS) as ExceptionSort[];

/** What "ascending" and "descending" mean for each sort, in words. */
export const DIRECTION_LABELS: Record<ExceptionSort, { asc: string; desc: string }> = {
  opened_at: { asc: "oldest first", desc: "newest first" },
  severity: { desc: "most severe first", asc: "least severe first" },
  amount: { desc: "largest first", asc: "smallest first" },
  reporting_amount: { desc: "largest first", asc: "smallest first" },
};

/** Why a person closed an exception (workflow.ts checks the code against these lists). */
export const RESOLUTION_CODES = [
  "fixed_in_source",
  "duplicate",
  "accepted_variance",
  "customer_credited",
  "other",
] as const;
export type ResolutionCode = (typeof RESOLUTION_CODES)[number];

export const DISMISSAL_CODES = [
  "false_positive",
  "duplicate",
  "not_actionable",
  "expected_behaviour",
  "other",
] as const;
export type DismissalCode = (typeof DISMISSAL_CODES)[number];

export const REASON_LABELS: Record<ResolutionCode | DismissalCode, string> = {
  fixed_in_source: "Fixed in the source system",
  duplicate: "Duplicate of another exception",
  accepted_variance: "Variance accepted",
  customer_credited: "Customer credited",
  false_positive: "False positive",
  not_actionable: "Not actionable",
  expected_behaviour: "Expected behaviour",
  other: "Other (explain in the note)",
};

/** Length limits the forms show; the server checks the same (workflow.ts, and the database for comments). */
export const NOTE_MAX_LENGTH = 2000;
