import type { Metadata } from "next";
import { CardSection } from "@/components/ui/card-section";
import { getDb } from "@/db";
import { AdminHeader } from "@/components/admin/admin-tabs";
import { SlaForm } from "@/components/exceptions/sla-form";
import { CloseDeadlinesForm } from "@/components/close/deadlines-form";
import { deadlineFormRows, loadCloseDeadlines } from "@/lib/close/deadline";
import { loadEntities } from "@/lib/entities";
import { guardPage } from "@/lib/auth/session";
import { loadSlaPolicy, slaFormRows } from "@/lib/exceptions/sla-settings";
import { loadTargets, targetFormRows } from "@/lib/kpi/targets";
import { loadReportingCurrency } from "@/lib/money/reporting";
import { loadMissingRates, loadRateTable, rateTableQuery } from "@/lib/money/rates";
import { RateEntryForm, ReportingCurrencyForm } from "@/components/money/fx-forms";
import { MissingRatesTable } from "@/components/money/missing-rates";
import { RatesTable } from "@/components/money/rates-table";
import {
  enterRateAction,
  saveCloseDeadlinesAction,
  saveReportingCurrencyAction,
  saveSlaAction,
} from "./actions";
import { TargetsForm } from "./client";
import { loadRateTableParams } from "./search-params";

export const metadata: Metadata = { title: "Settings" };

/** Exchange rates per page of the settings page's table. */
const RATES_PER_PAGE = 50;

export default async function SettingsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await guardPage("/admin/settings");
  const db = await getDb();
  const params = loadRateTableParams(await searchParams);
  const rateQuery = rateTableQuery({
    from: params.fxFrom,
    into: params.fxInto,
    cursor: params.fxAfter,
  });
  const [targets, sla, deadlines, entities, reportingCurrency, rates, missing] = await Promise.all([
    loadTargets(db),
    loadSlaPolicy(db),
    loadCloseDeadlines(db),
    loadEntities(db),
    loadReportingCurrency(db),
    loadRateTable(db, rateQuery.filter, { limit: RATES_PER_PAGE, cursor: rateQuery.cursor }),
    loadMissingRates(db),
  ]);
  return (
    <>
      <AdminHeader current="/admin/settings" />
      <CardSection id="targets-heading" title="KPI targets">
        <p className="muted">
          The overview colours each tile against these: on target (green), warning (amber) between
          the target and the warning level, off target (red) beyond it. Leave a target empty for no
          colour. A KPI with nothing to measure is always shown as “no data”, never green. Every
          change is recorded in the audit log.
        </p>
        <TargetsForm rows={targetFormRows(targets)} />
      </CardSection>
      <CardSection id="sla-heading" title="Exception SLA targets">
        <p className="muted">
          How long an exception of each type may stay open: past the warning it shows an amber “Over
          …” badge, past the SLA a red “SLA breached” badge, in the queue, on the exception page and
          in the CSV export. Every change is recorded in the audit log.
        </p>
        <SlaForm rows={slaFormRows(sla)} save={saveSlaAction} />
      </CardSection>
      <CardSection id="close-deadlines-heading" title="Close deadlines">
        <p className="muted">
          When each entity&rsquo;s month must be closed: business day N after month end (Monday to
          Friday, UTC; public holidays are not counted out) or day N of the next month. An entity on
          &ldquo;the default&rdquo; follows the first row. Close alert rules fire for a month still
          NO-GO within their number of days of it. Every change is recorded in the audit log.
        </p>
        <CloseDeadlinesForm
          rows={deadlineFormRows(deadlines, entities)}
          save={saveCloseDeadlinesAction}
        />
      </CardSection>
      <CardSection id="money-heading" title="Reporting currency and exchange rates">
        <p className="muted">
          Every exception&rsquo;s amount at risk is also shown in the reporting currency, at the
          rate in effect on the UTC day it opened (the latest rate effective on or before that day),
          rounded half away from zero to the currency&rsquo;s minor unit. Rates arrive as{" "}
          <code>fx.rate</code> events or are entered here; a rate entered for a pair and day
          replaces the one there. With no rate the converted amount shows as missing, never guessed.
          Every change is recorded in the audit log.
        </p>
        <ReportingCurrencyForm current={reportingCurrency} save={saveReportingCurrencyAction} />
        <RateEntryForm reportingCurrency={reportingCurrency} save={enterRateAction} />
        <MissingRatesTable missing={missing} />
        <RatesTable
          rates={rates.items}
          total={rates.total}
          nextCursor={rates.nextCursor}
          paged={rateQuery.cursor !== null}
          filters={{ from: rateQuery.filter.currency, into: rateQuery.filter.reportingCurrency }}
        />
      </CardSection>
    </>
  );
}
