/*
 * The close deadline's vocabulary, for the settings form in the browser: plain data only
 * (./deadline.ts validates, stores and computes).
 */

export const DEADLINE_KINDS = ["business_day", "calendar_day"] as const;
export type DeadlineKind = (typeof DEADLINE_KINDS)[number];

export const DEADLINE_KIND_LABELS: Record<DeadlineKind, string> = {
  business_day: "business day N after month end",
  calendar_day: "day N of the next month",
};

/** Past day 28 a "day N" would not exist in February; a close that late is not a deadline. */
export const MAX_DEADLINE_DAY = 28;

/** The form's rows: the default, then each known entity (its own rule, or "default"). */
export interface DeadlineFormRow {
  /** "" for the default row. */
  entity: string;
  kind: DeadlineKind | "default";
  day: number;
}
