import type { DrilldownRecords as Records } from "@/lib/kpi/drilldown-records";
import { EventLagRecords, UsageCompletenessRecords } from "./telemetry-records";
import {
  EntitlementSyncRecords,
  ErpPostingRecords,
  InvoiceLatencyRecords,
  ReconciliationRecords,
} from "./order-to-cash-records";
import { ExceptionRecords, InterventionRecords } from "./work-records";
import type { DrilldownHref } from "./records-table";

/**
 * The records behind one KPI, as its drill-down loaded them (started by the page, awaited
 * here inside its Suspense boundary so the page's header paints first).
 */
export async function DrilldownRecords({
  records: loading,
  href,
}: {
  records: Promise<Records>;
  href: DrilldownHref;
}) {
  const records = await loading;
  switch (records.slug) {
    case "usage-completeness":
      return <UsageCompletenessRecords records={records} href={href} />;
    case "event-lag":
      return <EventLagRecords records={records} href={href} />;
    case "invoice-latency":
      return <InvoiceLatencyRecords records={records} href={href} />;
    case "erp-postings":
      return <ErpPostingRecords records={records} href={href} />;
    case "reconciliation":
      return <ReconciliationRecords records={records} href={href} />;
    case "entitlement-sync":
      return <EntitlementSyncRecords records={records} href={href} />;
    case "exceptions":
      return <ExceptionRecords records={records} href={href} />;
    case "manual-interventions":
      return <InterventionRecords records={records} href={href} />;
  }
}
