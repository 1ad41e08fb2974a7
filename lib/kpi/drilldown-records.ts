import type { Db } from "@/db/client";
import {
  countLaggedEvents,
  listCheckpoints,
  listLaggedEvents,
  summarizeCheckpoints,
  type CheckpointRow,
  type CheckpointSummary,
  type LaggedEventRow,
} from "@/db/queries/drilldown-usage";
import {
  countLatencyInvoices,
  listLatencyInvoices,
  listPostings,
  listReconciliationResults,
  listSyncPayments,
  summarizePostings,
  summarizeReconciliation,
  summarizeSyncPayments,
  type LatencyInvoiceRow,
  type PaymentSummary,
  type PostingRow,
  type PostingSummary,
  type ReconciliationRow,
  type ReconciliationSummary,
  type SyncPaymentRow,
} from "@/db/queries/drilldown-billing";
import type { DrilldownCursor, DrilldownPage } from "@/db/queries/drilldown";
import {
  countInterventions,
  countOpenExceptions,
  listInterventions,
  listOpenExceptions,
  type InterventionRow,
  type OpenExceptionRow,
} from "@/db/queries/drilldown-work";
import type { KpiScope } from "@/db/queries/kpis";
import { InvalidInput } from "@/lib/errors";
import { ENTITLEMENT_OVERDUE_AFTER_MS, MANUAL_INTERVENTION_ACTION_PREFIXES } from "./definitions";
import {
  DRILLDOWN_PAGE_SIZE,
  drilldownView,
  encodeDrilldownCursor,
  type DrilldownSlug,
  type DrilldownView,
} from "./drilldown";

/*
 * The records behind one overview KPI, for its drill-down page: a page of the rows the KPI is
 * computed over and their totals (which restate the KPI's own count), as plain data the page
 * renders. Each drill-down's view is narrowed here to the ones its query knows.
 */

export type {
  CheckpointRow,
  CheckpointSummary,
  InterventionRow,
  LaggedEventRow,
  LatencyInvoiceRow,
  OpenExceptionRow,
  PaymentSummary,
  PostingRow,
  PostingSummary,
  ReconciliationRow,
  ReconciliationSummary,
  SyncPaymentRow,
};

/** One page of records, its link cursor already encoded for the URL. */
export interface RecordsPage<T> {
  rows: T[];
  /** The `cursor` of the next page's link; null on the last page. */
  nextCursor: string | null;
}

interface RecordsOf<S extends DrilldownSlug, T> {
  slug: S;
  /** Whether this is the list's first page (no cursor in the URL). */
  firstPage: boolean;
  /** "bad-cursor" when the URL's cursor is no position in the list (an edited link). */
  page: RecordsPage<T> | "bad-cursor";
}

export type DrilldownRecords =
  | (RecordsOf<"usage-completeness", CheckpointRow> & {
      view: DrilldownView<"usage-completeness">;
      summary: CheckpointSummary;
    })
  | (RecordsOf<"event-lag", LaggedEventRow> & { count: number })
  | (RecordsOf<"invoice-latency", LatencyInvoiceRow> & { count: number })
  | (RecordsOf<"erp-postings", PostingRow> & {
      view: DrilldownView<"erp-postings">;
      summary: PostingSummary;
    })
  | (RecordsOf<"reconciliation", ReconciliationRow> & {
      view: DrilldownView<"reconciliation">;
      summary: ReconciliationSummary;
    })
  | (RecordsOf<"entitlement-sync", SyncPaymentRow> & {
      view: DrilldownView<"entitlement-sync">;
      summary: PaymentSummary;
    })
  | (RecordsOf<"exceptions", OpenExceptionRow> & { count: number })
  | (RecordsOf<"manual-interventions", InterventionRow> & { count: number });

/** The records of one drill-down, e.g. `RecordsFor<"reconciliation">`. */
export type RecordsFor<S extends DrilldownSlug> = Extract<DrilldownRecords, { slug: S }>;

export interface DrilldownRecordsRequest {
  scope: KpiScope;
  /** The view named in the URL (already one the drill-down offers). */
  view: string;
  cursor: DrilldownCursor | null;
  now: Date;
}

/** Runs a page query; an edited cursor that is no position in the list says so instead of failing the page. */
async function fetchPage<T>(
  load: () => Promise<DrilldownPage<T>>,
): Promise<RecordsPage<T> | "bad-cursor"> {
  try {
    const page = await load();
    return { rows: page.rows, nextCursor: page.next ? encodeDrilldownCursor(page.next) : null };
  } catch (error) {
    if (error instanceof InvalidInput) return "bad-cursor";
    throw error;
  }
}

/** A drill-down's totals and one page of its records, read side by side. */
function totalsAndPage<Totals, T>(
  totals: Promise<Totals>,
  load: () => Promise<DrilldownPage<T>>,
): Promise<[Totals, RecordsPage<T> | "bad-cursor"]> {
  return Promise.all([totals, fetchPage(load)]);
}

/** Loads the page of records (and their totals) that the drill-down `slug` shows for `request`. */
export async function loadDrilldownRecords(
  db: Db,
  slug: DrilldownSlug,
  request: DrilldownRecordsRequest,
): Promise<DrilldownRecords> {
  const { scope, cursor, now } = request;
  const firstPage = !cursor;
  const page = { scope, cursor, limit: DRILLDOWN_PAGE_SIZE };
  switch (slug) {
    case "usage-completeness": {
      const view = drilldownView(slug, request.view);
      const [summary, rows] = await totalsAndPage(summarizeCheckpoints(db, scope), () =>
        listCheckpoints(db, { ...page, view }),
      );
      return { slug, firstPage, view, summary, page: rows };
    }
    case "event-lag": {
      const [count, rows] = await totalsAndPage(countLaggedEvents(db, scope), () =>
        listLaggedEvents(db, page),
      );
      return { slug, firstPage, count, page: rows };
    }
    case "invoice-latency": {
      const [count, rows] = await totalsAndPage(countLatencyInvoices(db, scope), () =>
        listLatencyInvoices(db, page),
      );
      return { slug, firstPage, count, page: rows };
    }
    case "erp-postings": {
      const view = drilldownView(slug, request.view);
      const [summary, rows] = await totalsAndPage(summarizePostings(db, scope), () =>
        listPostings(db, { ...page, view }),
      );
      return { slug, firstPage, view, summary, page: rows };
    }
    case "reconciliation": {
      const view = drilldownView(slug, request.view);
      const [summary, rows] = await totalsAndPage(summarizeReconciliation(db, scope), () =>
        listReconciliationResults(db, { ...page, view }),
      );
      return { slug, firstPage, view, summary, page: rows };
    }
    case "entitlement-sync": {
      const view = drilldownView(slug, request.view);
      const [summary, rows] = await totalsAndPage(
        summarizeSyncPayments(db, scope, ENTITLEMENT_OVERDUE_AFTER_MS, now),
        () =>
          listSyncPayments(db, {
            ...page,
            view,
            overdueAfterMs: ENTITLEMENT_OVERDUE_AFTER_MS,
            now,
          }),
      );
      return { slug, firstPage, view, summary, page: rows };
    }
    case "exceptions": {
      const [count, rows] = await totalsAndPage(countOpenExceptions(db, scope), () =>
        listOpenExceptions(db, { ...page, now }),
      );
      return { slug, firstPage, count, page: rows };
    }
    case "manual-interventions": {
      const [count, rows] = await totalsAndPage(
        countInterventions(db, scope, MANUAL_INTERVENTION_ACTION_PREFIXES),
        () =>
          listInterventions(db, { ...page, actionPrefixes: MANUAL_INTERVENTION_ACTION_PREFIXES }),
      );
      return { slug, firstPage, count, page: rows };
    }
  }
}
