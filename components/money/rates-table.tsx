import Link from "next/link";
import { Field } from "@/components/forms/field";
import { DataTable } from "@/components/table/data-table";
import { DateTime } from "@/components/ui/date-time";

export interface RateRow {
  currency: string;
  reportingCurrency: string;
  effectiveDate: string;
  rate: string;
  source: "event" | "admin";
  at: string;
}

export interface RatesTableFilters {
  /** The currency a rate converts from, and into; null for any. */
  from: string | null;
  into: string | null;
}

/** The settings page's URL for a page of rates under `filters`, after `cursor` when given. */
export function ratesHref(filters: RatesTableFilters, cursor: string | null = null): string {
  const params = new URLSearchParams();
  if (filters.from) params.set("fxFrom", filters.from);
  if (filters.into) params.set("fxInto", filters.into);
  if (cursor) params.set("fxAfter", cursor);
  const query = params.toString();
  return `/admin/settings${query ? `?${query}` : ""}#fx-rates-heading`;
}

/** A three-letter currency code to filter by, empty for any. */
function CurrencyFilter(props: {
  label: string;
  name: string;
  value: string | null;
  placeholder: string;
}) {
  return (
    <Field label={props.label}>
      <input
        name={props.name}
        defaultValue={props.value ?? ""}
        pattern="[A-Za-z]{3}"
        maxLength={3}
        size={4}
        placeholder={props.placeholder}
      />
    </Field>
  );
}

/**
 * The exchange rates, newest day first, each saying where it came from: a page at a time, the
 * filters and the page in the URL, and how many of how many are shown.
 */
export function RatesTable({
  rates,
  total,
  filters,
  nextCursor,
  paged,
}: {
  rates: readonly RateRow[];
  /** How many rates the filters hold in all. */
  total: number;
  filters: RatesTableFilters;
  nextCursor: string | null;
  /** Whether this is a page after the first. */
  paged: boolean;
}) {
  const filtered = Boolean(filters.from || filters.into);
  return (
    <>
      <h3 id="fx-rates-heading">Exchange rates</h3>
      <form
        className="form-row"
        method="get"
        action="/admin/settings#fx-rates-heading"
        role="search"
        aria-label="Filter the exchange rates"
      >
        <CurrencyFilter label="Rates from" name="fxFrom" value={filters.from} placeholder="EUR" />
        <CurrencyFilter label="Rates into" name="fxInto" value={filters.into} placeholder="USD" />
        <button type="submit">Filter</button>
        {filtered ? (
          <Link className="button" href={ratesHref({ from: null, into: null })}>
            Clear
          </Link>
        ) : null}
      </form>
      <p className="muted" data-testid="fx-rates-count" role="status">
        {total === 0
          ? null
          : `Showing ${rates.length} of ${total} rate${total === 1 ? "" : "s"}${filtered ? " that match" : ""}${paged ? ", continuing from the previous page" : ""}, newest effective day first.`}
      </p>
      <DataTable
        label="Exchange rates"
        testId="fx-rates"
        empty={
          filtered
            ? "No exchange rates match these filters."
            : "No exchange rates yet: amounts in other currencies show as missing in the reporting currency."
        }
        rows={rates.map((r) => ({
          ...r,
          id: `${r.currency}/${r.reportingCurrency}/${r.effectiveDate}`,
        }))}
        columns={[
          {
            header: "Pair",
            rowHeader: true,
            cell: (r) => `${r.currency} → ${r.reportingCurrency}`,
          },
          { header: "Effective from", cell: (r) => r.effectiveDate },
          { header: "Rate", numeric: true, cell: (r) => r.rate },
          {
            header: "Source",
            cell: (r) => (r.source === "admin" ? "entered by an admin" : "fx.rate event"),
          },
          { header: "Recorded", cell: (r) => <DateTime value={r.at} /> },
        ]}
      />
      {paged || nextCursor ? (
        <nav className="pagination" aria-label="Pages of exchange rates">
          {paged ? (
            <Link className="button" href={ratesHref(filters)}>
              Newest
            </Link>
          ) : null}
          {nextCursor ? (
            <Link className="button" href={ratesHref(filters, nextCursor)}>
              Older rates
            </Link>
          ) : null}
        </nav>
      ) : null}
    </>
  );
}
