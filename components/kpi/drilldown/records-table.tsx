import Link from "next/link";
import type { ReactNode } from "react";
import { DRILLDOWN_PAGE_SIZE } from "@/lib/kpi/drilldown";
import type { RecordsPage } from "@/lib/kpi/drilldown-records";
import { TableRegion } from "@/components/table/table-region";

/*
 * The frame every drill-down shares: the totals line, the table of one page of records with
 * links to their raw events, and the links to the first and next pages.
 */

/** Builds a link to this drill-down with the current filters kept. */
export type DrilldownHref = (change: { view?: string; cursor?: string | null }) => string;

/** What each drill-down's records component is given. */
export interface RecordsViewProps<R> {
  records: R;
  href: DrilldownHref;
}

/** Said when the range holds nothing for a drill-down to list. */
export const NO_DATA_IN_RANGE = "No data in this range. Try a longer time range or another entity.";

const eventHref = (seq: string) => `/events/${seq}`;

export function EventLink({ seq, children }: { seq: string | null; children?: ReactNode }) {
  if (!seq) return <span className="muted">—</span>;
  return <Link href={eventHref(seq)}>{children ?? `#${seq}`}</Link>;
}

export function YesNo({ value, good }: { value: boolean; good: boolean }) {
  const ok = value === good;
  return <span className={`badge ${ok ? "ok" : "bad"}`}>{value ? "yes" : "no"}</span>;
}

export function RecordsTable<T>({
  href,
  firstPage,
  summary,
  page,
  columns,
  row,
  rowKey,
  empty,
}: {
  href: DrilldownHref;
  firstPage: boolean;
  summary: ReactNode;
  page: RecordsPage<T> | "bad-cursor";
  columns: { label: string; numeric?: boolean }[];
  row: (r: T) => ReactNode;
  rowKey: (r: T) => string;
  empty: string;
}) {
  if (page === "bad-cursor") {
    return (
      <p className="alert error" role="alert">
        This page link is not valid any more.{" "}
        <Link href={href({ cursor: null })}>Go to the first page</Link>.
      </p>
    );
  }
  return (
    <>
      <p data-testid="records-summary">{summary}</p>
      {page.rows.length === 0 ? (
        <p className="muted" data-testid="records-empty">
          {firstPage ? empty : "No more records."}
        </p>
      ) : (
        <TableRegion label="Records">
          <table className="data" data-testid="records-table">
            <thead>
              <tr>
                {columns.map((c) => (
                  <th key={c.label} scope="col" className={c.numeric ? "num" : undefined}>
                    {c.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {page.rows.map((r) => (
                <tr key={rowKey(r)}>{row(r)}</tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
      <nav className="pagination" aria-label="Pages">
        {firstPage ? null : (
          <Link className="button" href={href({ cursor: null })}>
            ← First page
          </Link>
        )}
        {page.nextCursor ? (
          <Link className="button" href={href({ cursor: page.nextCursor })} rel="next">
            Next {DRILLDOWN_PAGE_SIZE} →
          </Link>
        ) : null}
      </nav>
    </>
  );
}
