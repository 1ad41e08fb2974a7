import { formatCount, formatDuration, formatMoney } from "@/lib/format";
import type { Column } from "@/components/table/data-table";
import { ThreadLink, type ThreadKind } from "@/components/thread/thread-links";
import { DateTime } from "@/components/ui/date-time";
import { EventLink } from "./event-link";

type Minor = number | bigint | string;

/**
 * The kinds of column the drill-downs are made of, each shown one way in every table: a time
 * in the viewer's zone, an amount in its currency, a count, a duration, a link to the raw
 * event, yes or no, and text where a missing value is a dash.
 */
export interface ColumnKinds<R> {
  /** A point in time in the viewer's time zone, kept on one line. */
  time(header: string, at: (row: R) => Date | string | null): Column<R>;
  /** An amount (minor units and currency together), kept on one line; a dash when there is none. */
  money(header: string, amount: (row: R) => readonly [Minor | null, string | null]): Column<R>;
  count(header: string, n: (row: R) => Minor): Column<R>;
  duration(header: string, ms: (row: R) => number | null): Column<R>;
  /** Text as it is; a dash when there is none. */
  text(header: string, text: (row: R) => string | null): Column<R>;
  /** A vocabulary value (`erp_posting_failed`) in words. */
  code(header: string, code: (row: R) => string): Column<R>;
  /** The link to the raw event a row comes from, named by its number. */
  event(header: string, seq: (row: R) => string | null): Column<R>;
  /** An invoice id that opens the invoice's revenue thread; a dash when there is none. */
  invoice(header: string, id: (row: R) => string | null): Column<R>;
  /** A customer id that opens the customer's revenue thread; a dash when there is none. */
  customer(header: string, id: (row: R) => string | null): Column<R>;
  /** Yes or no, marked good or bad by whether it is the answer wanted. */
  yesNo(header: string, value: (row: R) => boolean, wanted: { good: boolean }): Column<R>;
}

export function columnKinds<R>(): ColumnKinds<R> {
  return {
    time: (header, at) => ({
      header,
      className: "nowrap",
      cell: (row) => <DateTime value={at(row)} />,
    }),
    money: (header, amount) => ({
      header,
      numeric: true,
      className: "nowrap",
      cell: (row) => {
        const [minor, currency] = amount(row);
        return minor != null && currency ? formatMoney(minor, currency) : "—";
      },
    }),
    count: (header, n) => ({ header, numeric: true, cell: (row) => formatCount(n(row)) }),
    duration: (header, ms) => ({ header, numeric: true, cell: (row) => formatDuration(ms(row)) }),
    text: (header, text) => ({ header, cell: (row) => text(row) ?? "—" }),
    code: (header, code) => ({ header, cell: (row) => code(row).replaceAll("_", " ") }),
    event: (header, seq) => ({ header, cell: (row) => <EventLink seq={seq(row)} /> }),
    invoice: (header, id) => threadColumn("invoice", header, id),
    customer: (header, id) => threadColumn("customer", header, id),
    yesNo: (header, value, { good }) => ({
      header,
      cell: (row) => {
        const yes = value(row);
        return <span className={`badge ${yes === good ? "ok" : "bad"}`}>{yes ? "yes" : "no"}</span>;
      },
    }),
  };
}

/** An id that opens its revenue thread; a dash when there is none. */
function threadColumn<R>(
  kind: ThreadKind,
  header: string,
  id: (row: R) => string | null,
): Column<R> {
  return {
    header,
    cell: (row) => {
      const value = id(row);
      return value ? <ThreadLink kind={kind} id={value} /> : "—";
    },
  };
}
