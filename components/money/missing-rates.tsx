import { DataTable } from "@/components/table/data-table";
import type { MissingRate } from "@/lib/money/rates";

/** What else the admin should know about a missing pair: a rate too late, or one the other way. */
function note(r: MissingRate): string {
  const notes: string[] = [];
  if (r.laterRateDate) {
    notes.push(
      `a ${r.currency}→${r.reportingCurrency} rate exists only from ${r.laterRateDate}, after some of them opened`,
    );
  }
  if (r.inverse) {
    notes.push(
      `no ${r.currency}→${r.reportingCurrency} rate; an inverse rate exists (${r.reportingCurrency}→${r.currency} ${r.inverse.rate} from ${r.inverse.effectiveDate}), which Closeline does not invert`,
    );
  }
  return notes.length ? notes.join("; ") : "no rate either way";
}

/**
 * The pairs open exceptions wait on for their amount in the reporting currency: how many,
 * from which day a rate must take effect, and whether a rate exists only later or only the
 * other way round (never inverted: 1 ÷ rate is rarely the rate the books use).
 */
export function MissingRatesTable({ missing }: { missing: readonly MissingRate[] }) {
  if (missing.length === 0) return null;
  return (
    <>
      <h3 id="fx-missing-heading">Rates open exceptions are waiting for</h3>
      <p className="muted">
        These open exceptions have an amount at risk but no rate into the reporting currency in
        effect on the day they opened, so their converted amount shows as missing. Enter the rate of
        each pair effective on or before the day named.
      </p>
      <DataTable
        label="Missing exchange rates"
        testId="fx-missing"
        rows={missing.map((r) => ({ ...r, id: `${r.currency}/${r.reportingCurrency}` }))}
        columns={[
          {
            header: "Pair needed",
            rowHeader: true,
            cell: (r) => `${r.currency} → ${r.reportingCurrency}`,
          },
          { header: "Open exceptions", numeric: true, cell: (r) => r.open },
          { header: "Effective on or before", cell: (r) => r.firstDay },
          { header: "Note", cell: note },
        ]}
      />
    </>
  );
}
