import { DataTable } from "@/components/table/data-table";
import { DateTime } from "@/components/ui/date-time";

export interface RateRow {
  currency: string;
  reportingCurrency: string;
  effectiveDate: string;
  rate: string;
  source: "event" | "admin";
  at: Date;
}

/** The latest exchange rates, newest day first, each saying where it came from. */
export function RatesTable({ rates }: { rates: readonly RateRow[] }) {
  return (
    <DataTable
      label="Exchange rates"
      testId="fx-rates"
      empty="No exchange rates yet: amounts in other currencies show as missing in the reporting currency."
      rows={rates.map((r) => ({
        ...r,
        id: `${r.currency}/${r.reportingCurrency}/${r.effectiveDate}`,
      }))}
      columns={[
        { header: "Pair", rowHeader: true, cell: (r) => `${r.currency} → ${r.reportingCurrency}` },
        { header: "Effective from", cell: (r) => r.effectiveDate },
        { header: "Rate", numeric: true, cell: (r) => r.rate },
        {
          header: "Source",
          cell: (r) => (r.source === "admin" ? "entered by an admin" : "fx.rate event"),
        },
        { header: "Recorded", cell: (r) => <DateTime value={r.at} /> },
      ]}
    />
  );
}
