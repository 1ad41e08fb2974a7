import { z } from "zod";
import type { DrilldownCursor } from "@/db/queries/drilldown";
import type { ExceptionType } from "@/db/schema";
import type { KpiName } from "./definitions";

/*
 * The drill-down pages behind the overview tiles (/overview/[kpi]): which records each one
 * lists and the views it offers. The first view of each is the full set the KPI is computed
 * over, so its row count is the KPI's own count; the others narrow to the problem rows.
 */

export interface DrilldownSpec {
  title: string;
  /** What the rows are, as a heading. */
  records: string;
  definition: KpiName;
  views: readonly { id: string; label: string }[];
  /**
   * The exception type whose open items are this KPI's kind of problem, shown beside its
   * numbers (tile and records) as "14 reconciliation breaks open now", whatever the range.
   */
  openType?: { type: ExceptionType; noun: readonly [one: string, many: string] };
}

export const DRILLDOWNS = {
  "usage-completeness": {
    title: "Usage completeness",
    records: "Usage checkpoints whose window ends in the range",
    definition: "usageCompleteness",
    openType: { type: "usage_incomplete", noun: ["usage gap", "usage gaps"] },
    views: [
      { id: "all", label: "All checkpoints" },
      { id: "incomplete", label: "Incomplete" },
    ],
  },
  "event-lag": {
    title: "Event lag",
    records: "Events received in the range, slowest first",
    definition: "eventLag",
    views: [{ id: "all", label: "All events" }],
  },
  "invoice-latency": {
    title: "Invoice latency",
    records: "Invoices issued in the range, slowest first",
    definition: "invoiceLatency",
    // Disputes have no KPI of their own; they are invoices customers push back on.
    openType: { type: "invoice_disputed", noun: ["invoice dispute", "invoice disputes"] },
    views: [{ id: "all", label: "All invoices" }],
  },
  "erp-postings": {
    title: "ERP posting",
    records: "ERP postings whose first attempt is in the range",
    definition: "erpPosting",
    openType: { type: "erp_posting_failed", noun: ["failed posting", "failed postings"] },
    views: [
      { id: "all", label: "All postings" },
      { id: "first-pass-failed", label: "Failed first pass" },
      { id: "open-failures", label: "Open failures" },
    ],
  },
  reconciliation: {
    title: "Reconciliation",
    records: "Reconciliation results whose period ends in the range, largest variance first",
    definition: "reconciliation",
    openType: {
      type: "reconciliation_break",
      noun: ["reconciliation break", "reconciliation breaks"],
    },
    views: [
      { id: "all", label: "All results" },
      { id: "breaks", label: "Breaks" },
    ],
  },
  "entitlement-sync": {
    title: "Payment-to-entitlement sync",
    records: "Payments received in the range, slowest (or never synced) first",
    definition: "paymentToEntitlement",
    openType: {
      type: "entitlement_out_of_sync",
      noun: ["payment out of sync", "payments out of sync"],
    },
    views: [
      { id: "all", label: "All payments" },
      { id: "overdue", label: "Overdue" },
    ],
  },
  exceptions: {
    title: "Open exceptions",
    records: "Exceptions open now, oldest first",
    definition: "exceptions",
    views: [{ id: "all", label: "Open exceptions" }],
  },
  "manual-interventions": {
    title: "Manual interventions",
    records: "Human workflow actions in the range, newest first",
    definition: "manualInterventions",
    views: [{ id: "all", label: "All actions" }],
  },
} as const satisfies Record<string, DrilldownSpec>;

export type DrilldownSlug = keyof typeof DRILLDOWNS;
export type DrilldownView<S extends DrilldownSlug> = (typeof DRILLDOWNS)[S]["views"][number]["id"];

export const DRILLDOWN_PAGE_SIZE = 50;

export function isDrilldownSlug(value: string): value is DrilldownSlug {
  return Object.hasOwn(DRILLDOWNS, value);
}

/** The view named in the URL if the drill-down has it, else its first (complete) view. */
export function drilldownView<S extends DrilldownSlug>(
  slug: S,
  requested: string | null | undefined,
): DrilldownView<S> {
  const views = DRILLDOWNS[slug].views as readonly { id: DrilldownView<S> }[];
  return (views.find((v) => v.id === requested) ?? views[0]!).id;
}

/** `/overview/erp-postings`, the path of a drill-down (filters are added by the caller). */
export function drilldownPath(slug: DrilldownSlug): string {
  return `/overview/${slug}`;
}

const Cursor = z.object({ k: z.string().min(1).max(100), id: z.string().min(1).max(200) });

/** Cursors in URLs are base64url JSON; anything else (an edited link) means the first page. */
export function encodeDrilldownCursor(cursor: DrilldownCursor): string {
  return Buffer.from(JSON.stringify(cursor), "utf8").toString("base64url");
}

export function decodeDrilldownCursor(raw: string | null | undefined): DrilldownCursor | null {
  if (!raw || raw.length > 600) return null;
  try {
    const parsed = Cursor.safeParse(JSON.parse(Buffer.from(raw, "base64url").toString("utf8")));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
