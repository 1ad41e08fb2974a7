import type { ReactNode } from "react";
import type { DrilldownSlug } from "@/lib/kpi/drilldown";
import type { DrilldownRecords as Records, RecordsFor } from "@/lib/kpi/drilldown-records";
import { EventLagRecords, UsageCompletenessRecords } from "./telemetry-records";
import {
  EntitlementSyncRecords,
  ErpPostingRecords,
  InvoiceLatencyRecords,
  ReconciliationRecords,
} from "./order-to-cash-records";
import { ExceptionRecords, InterventionRecords } from "./work-records";
import type { DrilldownHref, RecordsViewProps } from "./records-table";

/** Each drill-down's records view, by its slug. */
const VIEWS: { [S in DrilldownSlug]: (props: RecordsViewProps<RecordsFor<S>>) => ReactNode } = {
  "usage-completeness": UsageCompletenessRecords,
  "event-lag": EventLagRecords,
  "invoice-latency": InvoiceLatencyRecords,
  "erp-postings": ErpPostingRecords,
  reconciliation: ReconciliationRecords,
  "entitlement-sync": EntitlementSyncRecords,
  exceptions: ExceptionRecords,
  "manual-interventions": InterventionRecords,
};

function RecordsView<S extends DrilldownSlug>({
  slug,
  records,
  href,
}: {
  slug: S;
  records: RecordsFor<S>;
  href: DrilldownHref;
}) {
  const View: (props: RecordsViewProps<RecordsFor<S>>) => ReactNode = VIEWS[slug];
  return <View records={records} href={href} />;
}

/**
 * The records behind one KPI, as its drill-down loaded them (started by the page, awaited
 * here inside its Suspense boundary so the page's header paints first).
 */
export async function DrilldownRecords({
  records,
  href,
}: {
  records: Promise<Records>;
  href: DrilldownHref;
}) {
  const loaded = await records;
  return <RecordsView slug={loaded.slug} records={loaded} href={href} />;
}
