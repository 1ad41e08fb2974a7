"use client";

import Link from "next/link";
import { useEffect, useRef, type Ref } from "react";
import type { QueueItem } from "@/lib/exceptions/queue";
import type { QueueParams } from "@/lib/exceptions/queue-params";
import { DIRECTION_LABELS, TYPE_LABELS } from "@/lib/exceptions/vocabulary";
import { amountAtRiskText, conversionNote, reportingAmountText } from "@/lib/money/describe";
import { SeverityBadge, SlaAge, StatusBadge } from "../badges";
import { CopyId } from "../copy-id";
import styles from "../exceptions.module.css";

/*
 * The queue's rows: a table whose column headers sort it, and which becomes a list of cards
 * on a narrow screen (exceptions.module.css, .queueTable): each cell carries its column's name
 * in data-label for that layout.
 */

type Sort = NonNullable<QueueParams["sort"]>;
type Direction = "asc" | "desc";

const ID_LABELS = [
  ["Invoice", "invoiceId"],
  ["Posting", "postingId"],
  ["Payment", "paymentId"],
  ["Run", "runId"],
  ["Contract", "contractId"],
] as const;

export function QueueTable({
  items,
  caption,
  now,
  canWork,
  selected,
  onSelect,
  sort,
  direction,
  onSort,
  busy,
  tableRef,
}: {
  items: QueueItem[];
  caption: string;
  now: Date;
  canWork: boolean;
  selected: Set<string>;
  onSelect: (next: Set<string>) => void;
  sort: Sort;
  direction: Direction;
  onSort: (column: Sort) => void;
  busy: boolean;
  tableRef: Ref<HTMLTableElement>;
}) {
  const header = (label: string, column: Sort, numeric?: boolean) => (
    <SortHeader
      label={label}
      column={column}
      sort={sort}
      direction={direction}
      onSort={onSort}
      numeric={numeric}
    />
  );
  return (
    <div className="table-wrap">
      <table
        className={`data ${styles.queueTable}`}
        ref={tableRef}
        data-testid="exceptions-table"
        aria-busy={busy}
      >
        <caption className="visually-hidden">{caption}; column headers sort the table</caption>
        <thead>
          <tr>
            {canWork ? (
              <th scope="col" className={styles.checkCell}>
                <SelectPage items={items} selected={selected} onSelect={onSelect} />
              </th>
            ) : null}
            {header("Severity", "severity")}
            <th scope="col">Exception</th>
            <th scope="col">Entity</th>
            {header("Amount at risk", "amount", true)}
            {header("In reporting currency", "reporting_amount", true)}
            <th scope="col">Owner</th>
            <th scope="col">Status</th>
            {header("Age / SLA", "opened_at")}
          </tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <QueueRow
              key={item.id}
              item={item}
              now={now}
              canWork={canWork}
              checked={selected.has(item.id)}
              onCheck={(checked) => {
                const next = new Set(selected);
                if (checked) next.add(item.id);
                else next.delete(item.id);
                onSelect(next);
              }}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function SortHeader({
  label,
  column,
  sort,
  direction,
  onSort,
  numeric,
}: {
  label: string;
  column: Sort;
  sort: Sort;
  direction: Direction;
  onSort: (column: Sort) => void;
  numeric?: boolean;
}) {
  const active = sort === column;
  // aria-sort describes the rows; severity "descending" (most severe first) reads naturally.
  const ariaSort = active ? (direction === "asc" ? "ascending" : "descending") : undefined;
  return (
    <th scope="col" aria-sort={ariaSort} className={numeric ? "num" : undefined}>
      <button type="button" className={styles.sortButton} onClick={() => onSort(column)}>
        {label}
        {active ? (direction === "asc" ? " ▲" : " ▼") : ""}
        <span className="visually-hidden">
          {active
            ? `, sorted ${DIRECTION_LABELS[column][direction]}; activate to reverse`
            : `; activate to sort by ${label}`}
        </span>
      </button>
    </th>
  );
}

function SelectPage({
  items,
  selected,
  onSelect,
}: {
  items: QueueItem[];
  selected: Set<string>;
  onSelect: (next: Set<string>) => void;
}) {
  const ref = useRef<HTMLInputElement>(null);
  const count = items.filter((i) => selected.has(i.id)).length;
  const all = items.length > 0 && count === items.length;
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = count > 0 && !all;
  }, [count, all]);
  return (
    <input
      ref={ref}
      type="checkbox"
      aria-label="Select every exception on this page"
      checked={all}
      onChange={() => onSelect(all ? new Set() : new Set(items.map((i) => i.id)))}
    />
  );
}

function QueueRow({
  item,
  now,
  canWork,
  checked,
  onCheck,
}: {
  item: QueueItem;
  now: Date;
  canWork: boolean;
  checked: boolean;
  onCheck: (checked: boolean) => void;
}) {
  const ids = ID_LABELS.filter(([, key]) => item[key]);
  return (
    <tr className={checked ? styles.rowSelected : undefined} data-exception-id={item.id}>
      {canWork ? (
        <td className={styles.checkCell}>
          <input
            type="checkbox"
            aria-label={`Select ${item.title}`}
            checked={checked}
            onChange={(e) => onCheck(e.target.checked)}
          />
        </td>
      ) : null}
      <td data-label="Severity">
        <SeverityBadge severity={item.severity} />
      </td>
      <td className={styles.titleCell}>
        <Link href={`/exceptions/${item.id}`}>{item.title}</Link>
        <span className={styles.sub}>{TYPE_LABELS[item.type]}</span>
        {ids.length ? (
          <span className={styles.ids}>
            {ids.map(([label, key]) => (
              <CopyId key={key} label={label} id={item[key]!} />
            ))}
          </span>
        ) : null}
      </td>
      <td data-label="Entity" className="nowrap">
        {item.entity ?? "—"}
      </td>
      <td data-label="Amount at risk" className="num nowrap" data-testid="queue-amount">
        {amountAtRiskText(item)}
      </td>
      <td
        data-label="In reporting currency"
        className="num nowrap"
        data-testid="queue-reporting-amount"
        title={conversionNote(item) ?? undefined}
      >
        {item.amountAtRiskReporting ? (
          reportingAmountText(item)
        ) : (
          <span className="muted">{reportingAmountText(item)}</span>
        )}
      </td>
      <td data-label="Owner">{item.ownerLabel ?? <span className="muted">Unassigned</span>}</td>
      <td data-label="Status">
        <StatusBadge status={item.status} />
      </td>
      <td data-label="Age / SLA" className="nowrap">
        <SlaAge openedAt={item.openedAt} closedAt={item.closedAt} now={now} target={item.sla} />
      </td>
    </tr>
  );
}
