/*
 * What an exception can be: its types, statuses and severities. Plain lists with no database
 * code, so that the API contract and the browser's forms read the same lists as the tables.
 */

export const EXCEPTION_TYPES = [
  "erp_posting_failed",
  "invoice_disputed",
  "reconciliation_break",
  "entitlement_out_of_sync",
  "retroactive_amendment",
  "usage_incomplete",
  "event_rejected",
] as const;
export type ExceptionType = (typeof EXCEPTION_TYPES)[number];

/**
 * The types whose exceptions share causes, and so form incidents: a posting error repeated by
 * one system for one entity, a silent source's incomplete windows, a reconciliation run's
 * breaks. The others (a dispute, an amendment, a payment not entitled) are each their own cause.
 */
export const INCIDENT_TYPES = [
  "erp_posting_failed",
  "usage_incomplete",
  "reconciliation_break",
] as const satisfies readonly ExceptionType[];
export type IncidentType = (typeof INCIDENT_TYPES)[number];

export const EXCEPTION_STATUSES = [
  "open",
  "in_progress",
  "awaiting_approval",
  /** A correction was approved and sent; the target system has not yet reported it done. */
  "awaiting_confirmation",
  "resolved",
  "dismissed",
] as const;
export type ExceptionStatus = (typeof EXCEPTION_STATUSES)[number];
/** Statuses in which an exception is finished: a person resolved or dismissed it. */
export const CLOSED_EXCEPTION_STATUSES: readonly ExceptionStatus[] = ["resolved", "dismissed"];
/**
 * Statuses in which an exception is not finished: it still needs someone, or (awaiting
 * confirmation) the problem is not gone until the target system says so.
 */
export const OPEN_EXCEPTION_STATUSES: readonly ExceptionStatus[] = EXCEPTION_STATUSES.filter(
  (status) => !CLOSED_EXCEPTION_STATUSES.includes(status),
);

export const SEVERITIES = ["low", "medium", "high", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** The longest comment the database accepts (a check on exception_comments) and the form allows. */
export const COMMENT_MAX_LENGTH = 4000;
