import type { ReactNode } from "react";
import { TableRegion } from "./table-region";

/** One column of a DataTable: its header and what each row shows under it. */
export interface Column<Row> {
  header: string;
  /** What each row shows in this column. */
  cell: (row: Row) => ReactNode;
  /** The header is for screen readers only. */
  hideHeader?: boolean;
  /**
   * On a phone a stacked table writes the column's name before each cell; a column whose
   * header is hidden writes none unless this says so.
   */
  phoneLabel?: boolean;
  /** The cell names its row (a header cell with scope="row"). */
  rowHeader?: boolean;
  /** A number: the header and the cells align right (.num). */
  numeric?: boolean;
  className?: string;
}

type RowAttributes = { id?: string } & { [data: `data-${string}`]: string | undefined };

// A row header shows as body text, not as a column header.
const ROW_HEADER_STYLE = { background: "none", color: "var(--text)" } as const;

interface DataTableProps<Row> {
  /** Names the scroll box for screen readers; leave it out for a box of inputs. */
  label?: string;
  caption?: ReactNode;
  columns: readonly (Column<Row> | false | null | undefined)[];
  /** On a phone, each row becomes a small card (table.data.stack); a table of inputs does not. */
  stack?: boolean;
  testId?: string;
  /** Said in place of the table when there is no row. */
  empty?: ReactNode;
  /** Each row is keyed by its id. */
  rows: readonly Row[];
  rowTestId?: string;
  rowAttributes?: (row: Row) => RowAttributes;
  /** The buttons (or form) acting on one row, in a last column whose header only a screen reader reads. */
  rowActions?: (row: Row) => ReactNode;
  /** Write "Actions" before the row actions on a phone, as before every other cell. */
  labelActionsOnPhone?: boolean;
}

/**
 * Columns of inputs, one for each spec (a level, a limit), sharing how their cells are made.
 * Inputs keep to one line.
 */
export function inputColumns<Row, Spec extends { header: string }>(
  specs: readonly Spec[],
  cell: (row: Row, spec: Spec) => ReactNode,
): Column<Row>[] {
  return specs.map((spec) => ({
    header: spec.header,
    className: "nowrap",
    cell: (row) => cell(row, spec),
  }));
}

type RowKey = string | number;

/** How a row without an `id` of its own is keyed. */
interface KeyedBy<Row> {
  rowKey: (row: Row) => RowKey;
}

/** The classes of a column's cells: .num for a number, then the column's own. */
const cellClass = <Row,>(c: Column<Row>) =>
  [c.numeric ? "num" : null, c.className].filter(Boolean).join(" ") || undefined;

/**
 * A table of rows, one column definition per column: header cells with scope, an optional
 * caption, what to say when there is no row, the scroll box every wide table sits in, and a
 * last column of what may be done to each row. Columns may be left out with `false` (a column
 * only some users see). Rows are keyed by their `id`, or by `rowKey` when they have none.
 */
export function DataTable<Row extends { id: RowKey }>(
  props: DataTableProps<Row> & Partial<KeyedBy<Row>>,
): ReactNode;
export function DataTable<Row>(props: DataTableProps<Row> & KeyedBy<Row>): ReactNode;
export function DataTable<Row>(props: DataTableProps<Row> & Partial<KeyedBy<Row>>) {
  const { columns, rows, rowActions, empty, stack = true } = props;
  // The overloads let a row without an id through only with a rowKey.
  const keyOf = props.rowKey ?? ((row: Row) => (row as { id: RowKey }).id);
  if (rows.length === 0 && empty !== undefined) return <p className="muted">{empty}</p>;
  const shown = columns.filter((c): c is Column<Row> => !!c);
  if (rowActions)
    shown.push({
      header: "Actions",
      hideHeader: true,
      phoneLabel: props.labelActionsOnPhone,
      cell: rowActions,
    });
  const phoneLabel = (c: Column<Row>) =>
    stack && (!c.hideHeader || c.phoneLabel) ? c.header : undefined;
  return (
    <TableRegion label={props.label}>
      <table className={stack ? "data stack" : "data"} data-testid={props.testId}>
        {props.caption ? <caption>{props.caption}</caption> : null}
        <thead>
          <tr>
            {shown.map((c) => (
              <th key={c.header} scope="col" className={c.numeric ? "num" : undefined}>
                {c.hideHeader ? <span className="visually-hidden">{c.header}</span> : c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={keyOf(row)} data-testid={props.rowTestId} {...props.rowAttributes?.(row)}>
              {shown.map((c) =>
                c.rowHeader ? (
                  <th key={c.header} scope="row" style={ROW_HEADER_STYLE}>
                    {c.cell(row)}
                  </th>
                ) : (
                  <td key={c.header} className={cellClass(c)} data-label={phoneLabel(c)}>
                    {c.cell(row)}
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </TableRegion>
  );
}
