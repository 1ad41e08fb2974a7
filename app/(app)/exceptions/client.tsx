"use client";

import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useQueryStates } from "nuqs";
import { useEffect, useRef, useState, useTransition, type FormEvent, type MouseEvent } from "react";
import { BulkRetryButton, bulkRetryOutcome } from "@/components/exceptions/actions/retry-controls";
import { SeverityBadge, SlaAge, StatusBadge } from "@/components/exceptions/badges";
import styles from "@/components/exceptions/exceptions.module.css";
import type { Assignee } from "@/lib/exceptions/detail";
import type { QueueCounts, QueueItem, QueuePage } from "@/lib/exceptions/queue";
import {
  AGE_CHOICES,
  DEFAULT_PAGE_SIZE,
  EXCEPTIONS_QUERY_KEY,
  countParams,
  countsQueryKey,
  PAGE_SIZES,
  queueParsers,
  queueQueryKey,
  serializeQueueParams,
  withoutPage,
  type QueueParams,
} from "@/lib/exceptions/queue-params";
import {
  CLOSED_STATUSES,
  DIRECTION_LABELS,
  DISMISSAL_CODES,
  REASON_LABELS,
  RESOLUTION_CODES,
  SORT_LABELS,
  STATUS_LABELS,
  STATUSES,
  TYPE_LABELS,
  TYPES,
  NOTE_MAX_LENGTH,
  type ExceptionStatus,
} from "@/lib/exceptions/vocabulary";
import type { BulkItemResult } from "@/lib/exceptions/workflow";
import { formatCount, formatDateTime, formatMoney } from "@/lib/format";
import { bulkAction, type BulkRequest } from "./actions";

/*
 * The queue: tabs per type, filters, a sortable table with keyset pages, selection for bulk
 * actions, CSV export of the current filter. Everything that selects rows lives in the URL
 * (nuqs, shallow: the browser fetches GET /api/v1/exceptions with the same params), so a
 * view is a link; the page refreshes itself every 20 seconds without touching the filters.
 */

const REFRESH_MS = 20_000;

type Sort = NonNullable<QueueParams["sort"]>;
const EXPORT_LIMIT_TEXT = "50,000";

/** The tab counts cost more than a page, so they refresh less often. */
const COUNTS_REFRESH_MS = 60_000;

async function fetchJson<T>(path: string, signal: AbortSignal): Promise<T> {
  const response = await fetch(path, {
    signal,
    headers: { accept: "application/json" },
    cache: "no-store",
  });
  const body = (await response.json().catch(() => null)) as unknown;
  if (!response.ok) {
    const message = (body as { error?: { message?: string } } | null)?.error?.message;
    throw new Error(
      response.status === 401
        ? "Your session has ended; sign in again."
        : (message ?? `The queue could not be loaded (HTTP ${response.status}).`),
    );
  }
  return body as T;
}

/** The status filter as one select: named groups, or a single status. */
const STATUS_CHOICES: { value: string; label: string; statuses: ExceptionStatus[] | null }[] = [
  {
    value: "",
    label: "Not closed (open, in progress, awaiting approval or confirmation)",
    statuses: null,
  },
  ...STATUSES.map((s) => ({ value: s, label: STATUS_LABELS[s], statuses: [s] })),
  { value: "closed", label: "Closed (resolved or dismissed)", statuses: [...CLOSED_STATUSES] },
  { value: "all", label: "Every status", statuses: [...STATUSES] },
];

function statusChoice(statuses: ExceptionStatus[] | null): string {
  if (!statuses || statuses.length === 0) return "";
  const key = [...statuses].sort().join(",");
  return (
    STATUS_CHOICES.find((c) => c.statuses && [...c.statuses].sort().join(",") === key)?.value ??
    "custom"
  );
}

const AGE_LABELS: Record<(typeof AGE_CHOICES)[number], string> = {
  "1h": "Older than 1 hour",
  "24h": "Older than 24 hours",
  "72h": "Older than 72 hours",
  "7d": "Older than 7 days",
};

export function ExceptionQueue({
  viewer,
  canWork,
  assignees,
}: {
  viewer: { id: string; label: string };
  canWork: boolean;
  assignees: Assignee[];
}) {
  const [params, setParams] = useQueryStates(queueParsers, { history: "push" });
  const queryClient = useQueryClient();
  const query = useQuery({
    queryKey: queueQueryKey(params),
    queryFn: ({ signal }) =>
      fetchJson<QueuePage>(`/api/v1/exceptions${serializeQueueParams(params)}`, signal),
    placeholderData: keepPreviousData,
    refetchInterval: REFRESH_MS,
  });
  const counts = useQuery({
    queryKey: countsQueryKey(params),
    queryFn: ({ signal }) =>
      fetchJson<QueueCounts>(
        `/api/v1/exceptions/counts${serializeQueueParams(countParams(params))}`,
        signal,
      ),
    placeholderData: keepPreviousData,
    refetchInterval: COUNTS_REFRESH_MS,
  });
  const [selected, setSelected] = useState<Set<string>>(new Set());
  // The last bulk action's result outlives the selection it was about.
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const tableRef = useRef<HTMLTableElement>(null);

  const page = query.data;
  const items = page?.items ?? [];
  const now = page ? new Date(page.asOf) : new Date();
  const sort = params.sort ?? "opened_at";
  const direction = params.dir ?? (sort === "opened_at" ? "asc" : "desc");

  /** Any change of what is shown starts from the first page with nothing selected. */
  function update(patch: Partial<QueueParams>) {
    setSelected(new Set());
    setOutcome(null);
    void setParams({ ...patch, after: null, before: null });
  }

  function goTo(cursor: { after?: string | null; before?: string | null }) {
    setSelected(new Set());
    void setParams({ after: cursor.after ?? null, before: cursor.before ?? null });
    tableRef.current?.scrollIntoView({ block: "nearest" });
  }

  function sortBy(next: Sort) {
    if (next === sort) update({ dir: direction === "asc" ? "desc" : "asc" });
    else update({ sort: next === "opened_at" ? null : next, dir: null });
  }

  const filtered =
    params.type ||
    params.status ||
    params.owner ||
    params.age ||
    params.min != null ||
    params.max != null ||
    params.q;

  return (
    <div>
      <TypeTabs params={params} counts={counts.data} onSelect={(type) => update({ type })} />
      <Filters params={params} viewer={viewer} assignees={assignees} onChange={update} />
      <div className={styles.toolbar}>
        <p
          className="muted"
          style={{ margin: 0 }}
          role="status"
          aria-live="polite"
          data-testid="queue-total"
        >
          {counts.data ? `${countText(totalOf(counts.data, params.type))} · ` : ""}
          sorted by {SORT_LABELS[sort].toLowerCase()}, {DIRECTION_LABELS[sort][direction]}
        </p>
        <div className="form-row">
          <LiveStatus
            updatedAt={query.dataUpdatedAt}
            fetching={query.isFetching}
            onRefresh={() => void query.refetch()}
          />
          <CopyLink />
          <a
            className="button"
            href={`/api/v1/exceptions.csv${serializeQueueParams(withoutPage(params))}`}
            download
            title={`Every exception matching these filters, up to ${EXPORT_LIMIT_TEXT} rows`}
          >
            Export CSV
          </a>
        </div>
      </div>
      {query.isError && page ? (
        <p className="alert error" role="alert">
          Could not refresh: {query.error.message} Showing the exceptions as of{" "}
          {formatDateTime(page.asOf)}.
        </p>
      ) : null}
      {canWork && selected.size > 0 ? (
        <BulkBar
          items={items.filter((i) => selected.has(i.id))}
          viewer={viewer}
          assignees={assignees}
          onDone={(result) => {
            setOutcome(result);
            // A refused request changed nothing: the selection stays for another try.
            if (result.ok || result.failures.length > 0) setSelected(new Set());
            void queryClient.invalidateQueries({ queryKey: EXCEPTIONS_QUERY_KEY });
          }}
          onClear={() => setSelected(new Set())}
        />
      ) : null}
      {outcome ? <BulkOutcome outcome={outcome} /> : null}
      {!page && query.isError ? (
        <div className="alert error" role="alert">
          <p style={{ marginTop: 0 }}>The queue could not be loaded: {query.error.message}</p>
          <button type="button" onClick={() => void query.refetch()}>
            Try again
          </button>
        </div>
      ) : !page ? (
        <QueueSkeletonRows />
      ) : items.length === 0 ? (
        <EmptyQueue filtered={!!filtered} onClear={() => update(CLEARED)} />
      ) : (
        <div className="table-wrap">
          <table
            className="data"
            ref={tableRef}
            data-testid="exceptions-table"
            aria-busy={query.isFetching}
          >
            <caption className="visually-hidden">
              Exceptions{params.type ? ` of type ${TYPE_LABELS[params.type]}` : ""}; column headers
              sort the table
            </caption>
            <thead>
              <tr>
                {canWork ? (
                  <th scope="col" className={styles.checkCell}>
                    <SelectPage items={items} selected={selected} setSelected={setSelected} />
                  </th>
                ) : null}
                <SortHeader
                  label="Severity"
                  column="severity"
                  sort={sort}
                  direction={direction}
                  onSort={sortBy}
                />
                <th scope="col">Exception</th>
                <th scope="col">Entity</th>
                <SortHeader
                  label="Amount"
                  column="amount"
                  sort={sort}
                  direction={direction}
                  onSort={sortBy}
                  numeric
                />
                <th scope="col">Owner</th>
                <th scope="col">Status</th>
                <SortHeader
                  label="Age / SLA"
                  column="opened_at"
                  sort={sort}
                  direction={direction}
                  onSort={sortBy}
                />
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
                  onCheck={(checked) =>
                    setSelected((previous) => {
                      const next = new Set(previous);
                      if (checked) next.add(item.id);
                      else next.delete(item.id);
                      return next;
                    })
                  }
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {page && (page.previousCursor || page.nextCursor || params.after || params.before) ? (
        <nav className="pagination" aria-label="Pages">
          <button type="button" onClick={() => goTo({})} disabled={!page.previousCursor}>
            First page
          </button>
          <button
            type="button"
            onClick={() => goTo({ before: page.previousCursor })}
            disabled={!page.previousCursor}
          >
            Previous page
          </button>
          <button
            type="button"
            onClick={() => goTo({ after: page.nextCursor })}
            disabled={!page.nextCursor}
          >
            Next page
          </button>
        </nav>
      ) : null}
    </div>
  );
}

const CLEARED: Partial<QueueParams> = {
  status: null,
  owner: null,
  age: null,
  min: null,
  max: null,
  q: null,
  type: null,
};

/** The total of the selected tab, or of every tab. */
function totalOf(counts: QueueCounts, type: QueueParams["type"]) {
  // A type with nothing open may be missing from the counts.
  if (type) return counts.byType[type] ?? { count: 0, capped: false };
  const all = Object.values(counts.byType);
  return { count: all.reduce((sum, c) => sum + c.count, 0), capped: all.some((c) => c.capped) };
}

function countText(total: { count: number; capped: boolean }) {
  return `${formatCount(total.count)}${total.capped ? "+" : ""} ${total.count === 1 && !total.capped ? "exception" : "exceptions"}`;
}

function TypeTabs({
  params,
  counts,
  onSelect,
}: {
  params: QueueParams;
  counts: QueueCounts | undefined;
  onSelect: (type: QueueParams["type"]) => void;
}) {
  const tab = (type: QueueParams["type"], label: string) => {
    const href = `/exceptions${serializeQueueParams({ ...params, type, after: null, before: null })}`;
    const current = params.type === type;
    const total = counts ? totalOf(counts, type) : null;
    return (
      <li key={type ?? "all"}>
        <Link
          href={href}
          aria-current={current ? "page" : undefined}
          onClick={(e: MouseEvent) => {
            // A plain click switches in place (shallow); a modified one opens the link as usual.
            if (e.metaKey || e.ctrlKey || e.shiftKey || e.altKey || e.button !== 0) return;
            e.preventDefault();
            onSelect(type);
          }}
        >
          {label}
          {total ? (
            <span className={styles.count}>
              {formatCount(total.count)}
              {total.capped ? "+" : ""}
            </span>
          ) : null}
        </Link>
      </li>
    );
  };
  return (
    <nav aria-label="Exception types">
      <ul className={styles.tabs}>
        {tab(null, "All")}
        {TYPES.map((type) => tab(type, TYPE_LABELS[type]))}
      </ul>
    </nav>
  );
}

function Filters({
  params,
  viewer,
  assignees,
  onChange,
}: {
  params: QueueParams;
  viewer: { id: string; label: string };
  assignees: Assignee[];
  onChange: (patch: Partial<QueueParams>) => void;
}) {
  // Text and numbers apply on Enter or when the field is left, not at every keystroke.
  const [search, setSearch] = useState(params.q ?? "");
  const [min, setMin] = useState(params.min?.toString() ?? "");
  const [max, setMax] = useState(params.max?.toString() ?? "");
  // When the URL changes under the form (back button, "clear the filters"), the fields follow.
  const [shown, setShown] = useState({ q: params.q, min: params.min, max: params.max });
  if (shown.q !== params.q || shown.min !== params.min || shown.max !== params.max) {
    setShown({ q: params.q, min: params.min, max: params.max });
    setSearch(params.q ?? "");
    setMin(params.min?.toString() ?? "");
    setMax(params.max?.toString() ?? "");
  }
  const number = (value: string) =>
    value.trim() === "" || !Number.isFinite(Number(value)) ? null : Number(value);
  const apply = () => {
    const patch: Partial<QueueParams> = {};
    if ((search.trim() || null) !== params.q) patch.q = search.trim() || null;
    if (number(min) !== params.min) patch.min = number(min);
    if (number(max) !== params.max) patch.max = number(max);
    if (Object.keys(patch).length > 0) onChange(patch);
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    apply();
  };
  const ownerKnown =
    !params.owner ||
    ["me", "unassigned"].includes(params.owner) ||
    assignees.some((a) => a.id === params.owner);
  const status = statusChoice(params.status);
  return (
    <form
      className="form-row"
      role="search"
      aria-label="Filter the queue"
      onSubmit={onSubmit}
      style={{ marginTop: "0.75rem" }}
    >
      <label className="field">
        Status
        <select
          value={status}
          onChange={(e) =>
            onChange({
              status: STATUS_CHOICES.find((c) => c.value === e.target.value)?.statuses ?? null,
            })
          }
        >
          {STATUS_CHOICES.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
          {status === "custom" ? (
            <option value="custom">{params.status!.map((s) => STATUS_LABELS[s]).join(", ")}</option>
          ) : null}
        </select>
      </label>
      <label className="field">
        Owner
        <select
          value={params.owner ?? ""}
          onChange={(e) => onChange({ owner: e.target.value || null })}
        >
          <option value="">Anyone</option>
          <option value="me">Me ({viewer.label})</option>
          <option value="unassigned">Nobody (unassigned)</option>
          {assignees
            .filter((a) => a.id !== viewer.id)
            .map((a) => (
              <option key={a.id} value={a.id}>
                {a.label}
              </option>
            ))}
          {ownerKnown ? null : <option value={params.owner!}>Another user</option>}
        </select>
      </label>
      <label className="field">
        Age
        <select
          value={params.age ?? ""}
          onChange={(e) => onChange({ age: (e.target.value || null) as QueueParams["age"] })}
        >
          <option value="">Any age</option>
          {AGE_CHOICES.map((a) => (
            <option key={a} value={a}>
              {AGE_LABELS[a]}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        Amount at least
        <input
          type="number"
          inputMode="decimal"
          min={0}
          step="any"
          value={min}
          onChange={(e) => setMin(e.target.value)}
          onBlur={apply}
          style={{ width: "8rem" }}
        />
      </label>
      <label className="field">
        Amount at most
        <input
          type="number"
          inputMode="decimal"
          min={0}
          step="any"
          value={max}
          onChange={(e) => setMax(e.target.value)}
          onBlur={apply}
          style={{ width: "8rem" }}
        />
      </label>
      <label className="field">
        Search
        <input
          type="search"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          onBlur={apply}
          placeholder="Title words or an id"
          maxLength={200}
        />
      </label>
      <label className="field">
        Per page
        <select
          value={params.size ?? DEFAULT_PAGE_SIZE}
          onChange={(e) => {
            const size = Number(e.target.value) as (typeof PAGE_SIZES)[number];
            onChange({ size: size === DEFAULT_PAGE_SIZE ? null : size });
          }}
        >
          {PAGE_SIZES.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
      <button type="submit">Apply</button>
      <p className="muted" style={{ flexBasis: "100%", margin: 0, fontSize: "0.85rem" }}>
        Amounts compare in each exception&apos;s own currency (major units, no conversion). The
        entity filter at the top applies; the time range does not: an exception stays in the queue
        whatever its age.
      </p>
    </form>
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
  sort: string;
  direction: "asc" | "desc";
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
  setSelected,
}: {
  items: QueueItem[];
  selected: Set<string>;
  setSelected: (next: Set<string>) => void;
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
      onChange={() => setSelected(all ? new Set() : new Set(items.map((i) => i.id)))}
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
  const ids = [item.invoiceId, item.postingId, item.paymentId, item.runId, item.contractId]
    .filter(Boolean)
    .join(" · ");
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
      <td>
        <SeverityBadge severity={item.severity} />
      </td>
      <td className={styles.titleCell}>
        <Link href={`/exceptions/${item.id}`}>{item.title}</Link>
        <span className={styles.sub}>
          {TYPE_LABELS[item.type]}
          {ids ? ` · ${ids}` : ""}
        </span>
      </td>
      <td className="nowrap">{item.entity ?? "—"}</td>
      <td className="num nowrap">
        {item.amountMinor !== null && item.currency
          ? formatMoney(item.amountMinor, item.currency)
          : "—"}
      </td>
      <td>{item.ownerLabel ?? <span className="muted">Unassigned</span>}</td>
      <td>
        <StatusBadge status={item.status} />
      </td>
      <td className="nowrap">
        <SlaAge openedAt={item.openedAt} closedAt={item.closedAt} now={now} />
      </td>
    </tr>
  );
}

type BulkKind = BulkRequest["action"];

function BulkBar({
  items,
  viewer,
  assignees,
  onDone,
  onClear,
}: {
  items: QueueItem[];
  viewer: { id: string; label: string };
  assignees: Assignee[];
  onDone: (outcome: Outcome) => void;
  onClear: () => void;
}) {
  const [kind, setKind] = useState<BulkKind>("assign");
  const [assignee, setAssignee] = useState(viewer.id);
  const [code, setCode] = useState("");
  const [note, setNote] = useState("");
  const [pending, startTransition] = useTransition();
  const codes = kind === "resolve" ? RESOLUTION_CODES : DISMISSAL_CODES;
  const closable = items.filter((i) => !CLOSED_STATUSES.includes(i.status));

  function submit(e: FormEvent) {
    e.preventDefault();
    const targets = items.map((i) => ({ id: i.id, version: i.version }));
    const request: BulkRequest =
      kind === "assign"
        ? { action: "assign", items: targets, assigneeId: assignee || null }
        : kind === "resolve"
          ? { action: "resolve", items: targets, code, note }
          : { action: "dismiss", items: targets, code, note };
    startTransition(async () => {
      const result = await bulkAction(request);
      if (!result.ok) {
        onDone({ ok: false, text: result.error, failures: [] });
        return;
      }
      setNote("");
      onDone(summarise(kind, result.data, items));
    });
  }

  const verb = kind === "assign" ? "Assign" : kind === "resolve" ? "Resolve" : "Dismiss";
  return (
    <>
      <form
        className={styles.bulk}
        onSubmit={submit}
        aria-label="Bulk action on the selected exceptions"
        data-testid="bulk-actions"
      >
        <strong role="status">
          {items.length} selected
          {kind !== "assign" && closable.length < items.length
            ? ` (${items.length - closable.length} already closed)`
            : ""}
        </strong>
        <label className="field">
          Action
          <select
            value={kind}
            onChange={(e) => {
              setKind(e.target.value as BulkKind);
              setCode("");
            }}
          >
            <option value="assign">Assign</option>
            <option value="resolve">Resolve</option>
            <option value="dismiss">Dismiss</option>
          </select>
        </label>
        {kind === "assign" ? (
          <label className="field">
            Assign to
            <select value={assignee} onChange={(e) => setAssignee(e.target.value)}>
              <option value={viewer.id}>Me ({viewer.label})</option>
              {assignees
                .filter((a) => a.id !== viewer.id)
                .map((a) => (
                  <option key={a.id} value={a.id}>
                    {a.label}
                  </option>
                ))}
              <option value="">Nobody (unassign)</option>
            </select>
          </label>
        ) : (
          <>
            <label className="field">
              Reason
              <select value={code} onChange={(e) => setCode(e.target.value)} required>
                <option value="" disabled>
                  Choose a reason
                </option>
                {codes.map((c) => (
                  <option key={c} value={c}>
                    {REASON_LABELS[c]}
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              Note{kind === "dismiss" || code === "other" ? " (required)" : ""}
              <input
                value={note}
                onChange={(e) => setNote(e.target.value)}
                maxLength={NOTE_MAX_LENGTH}
                required={kind === "dismiss" || code === "other"}
                style={{ minWidth: "16rem" }}
              />
            </label>
          </>
        )}
        <button type="submit" className="primary" disabled={pending}>
          {pending ? "Working…" : `${verb} ${items.length}`}
        </button>
        <button type="button" onClick={onClear} disabled={pending}>
          Clear selection
        </button>
      </form>
      <BulkRetryButton
        exceptionIds={items.filter((i) => i.type === "erp_posting_failed").map((i) => i.id)}
        onDone={(results) => onDone(bulkRetryOutcome(results))}
      />
    </>
  );
}

interface Outcome {
  ok: boolean;
  text: string;
  failures: string[];
}

function summarise(kind: BulkKind, results: BulkItemResult[], items: QueueItem[]): Outcome {
  const done = results.filter((r) => r.ok).length;
  const title = (id: string) => items.find((i) => i.id === id)?.title ?? id;
  const failures = results.flatMap((r) => (r.ok ? [] : [`${title(r.id)}: ${r.error}`]));
  const past = kind === "assign" ? "Assigned" : kind === "resolve" ? "Resolved" : "Dismissed";
  const text = `${past} ${done} ${done === 1 ? "exception" : "exceptions"}.${
    failures.length ? ` ${failures.length} could not be changed:` : ""
  }`;
  return { ok: failures.length === 0, text, failures };
}

function BulkOutcome({ outcome }: { outcome: Outcome }) {
  return (
    <div
      className={`alert ${outcome.ok ? "success" : "error"}`}
      role={outcome.ok ? "status" : "alert"}
      style={{ marginBottom: "0.75rem" }}
      data-testid="bulk-outcome"
    >
      {outcome.text}
      {outcome.failures.length ? (
        <ul style={{ margin: "0.25rem 0 0", paddingLeft: "1.25rem" }}>
          {outcome.failures.map((f, i) => (
            <li key={i}>{f}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** UTC, like every time Closeline shows, and the same on the server and in the browser. */
const clock = new Intl.DateTimeFormat("en-GB", { timeStyle: "medium", timeZone: "UTC" });

function LiveStatus({
  updatedAt,
  fetching,
  onRefresh,
}: {
  updatedAt: number;
  fetching: boolean;
  onRefresh: () => void;
}) {
  return (
    <span className={styles.live}>
      <span>
        {fetching ? "Refreshing…" : updatedAt ? `Updated ${clock.format(updatedAt)} UTC` : ""} ·
        every {REFRESH_MS / 1000} s
      </span>
      <button type="button" onClick={onRefresh} disabled={fetching}>
        Refresh
      </button>
    </span>
  );
}

function CopyLink() {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      onClick={() => {
        void navigator.clipboard?.writeText(window.location.href).then(() => {
          setCopied(true);
          setTimeout(() => setCopied(false), 2000);
        });
      }}
      title="This view's filters and sort are in its address: save or share it"
    >
      {copied ? "Link copied" : "Copy link to view"}
    </button>
  );
}

function EmptyQueue({ filtered, onClear }: { filtered: boolean; onClear: () => void }) {
  return (
    <div className="card" style={{ textAlign: "center" }} data-testid="queue-empty">
      {filtered ? (
        <>
          <p>No exceptions match these filters.</p>
          <button type="button" onClick={onClear}>
            Clear the filters
          </button>
        </>
      ) : (
        <p>Nothing needs attention: there are no open exceptions.</p>
      )}
    </div>
  );
}

export function QueueSkeletonRows() {
  return (
    <div aria-busy="true" aria-label="Loading the queue" style={{ display: "grid", gap: "0.5rem" }}>
      {Array.from({ length: 8 }, (_, i) => (
        <div key={i} className="skeleton" style={{ height: "2.1rem" }} />
      ))}
    </div>
  );
}
