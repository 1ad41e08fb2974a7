import Link from "next/link";
import type { ReactNode } from "react";
import { DRILLDOWN_PAGE_SIZE } from "@/lib/kpi/drilldown";
import type { RecordsPage } from "@/lib/kpi/drilldown-records";
import { DataTable, type Column } from "@/components/table/data-table";
import { columnKinds, type ColumnKinds } from "./columns";

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

/** One drill-down's page of records, as the loader gave it. */
interface RecordsPageOf<T> {
  firstPage: boolean;
  page: RecordsPage<T> | "bad-cursor";
}

export function RecordsTable<T>({
  records: { firstPage, page },
  href,
  summary,
  columns,
  rowKey,
  empty,
}: {
  records: RecordsPageOf<T>;
  href: DrilldownHref;
  summary: ReactNode;
  /** Its columns, made of the kinds every drill-down shares or cells of its own. */
  columns: (column: ColumnKinds<T>) => Column<T>[];
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
        <DataTable
          label="Records"
          stack={false}
          testId="records-table"
          columns={columns(columnKinds<T>())}
          rows={page.rows}
          rowKey={rowKey}
        />
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
