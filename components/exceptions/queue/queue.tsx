"use client";

import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { useQueryStates } from "nuqs";
import { useEffect, useRef, useState } from "react";
import type { BulkAction } from "@/lib/exceptions/bulk";
import type { Assignee } from "@/lib/exceptions/detail";
import type { QueueCounts, QueuePage } from "@/lib/exceptions/queue";
import {
  EXCEPTIONS_QUERY_KEY,
  countParams,
  countsQueryKey,
  queueParsers,
  queueQueryKey,
  serializeQueueParams,
  withoutPage,
  type QueueParams,
} from "@/lib/exceptions/queue-params";
import { DIRECTION_LABELS, SORT_LABELS, TYPE_LABELS } from "@/lib/exceptions/vocabulary";
import styles from "../exceptions.module.css";
import { BulkBar, BulkOutcome, type Outcome } from "./bulk-bar";
import { countText, totalOf } from "./counts";
import { Filters } from "./filters";
import { QueueTable } from "./queue-table";
import { TypeTabs } from "./type-tabs";
import { DateTime } from "@/components/ui/date-time";

/*
 * The queue: tabs per type, filters, a sortable table with keyset pages, selection for bulk
 * actions, CSV export of the current filter. Everything that selects rows lives in the URL
 * (nuqs, shallow: the browser fetches GET /api/v1/exceptions with the same params), so a
 * view is a link; the page refreshes itself every 20 seconds without touching the filters.
 */

const REFRESH_MS = 20_000;
/** The tab counts cost more than a page, so they refresh less often. */
const COUNTS_REFRESH_MS = 60_000;
const EXPORT_LIMIT_TEXT = "50,000";

type Sort = NonNullable<QueueParams["sort"]>;

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

const CLEARED: Partial<QueueParams> = {
  status: null,
  owner: null,
  age: null,
  min: null,
  max: null,
  q: null,
  type: null,
  blocking: null,
};

export function ExceptionQueue({
  viewer,
  canWork,
  assignees,
  bulkAction,
}: {
  viewer: { id: string; label: string };
  canWork: boolean;
  assignees: Assignee[];
  bulkAction: BulkAction;
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
  // The last bulk action's result outlives the selection it was about, until the next one.
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const tableRef = useRef<HTMLTableElement>(null);
  const outcomeRef = useRef<HTMLDivElement>(null);

  // The bulk bar goes away with the selection: focus moves to what the action did.
  useEffect(() => {
    if (outcome) outcomeRef.current?.focus();
  }, [outcome]);

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

  /** A button to another page of the queue; disabled where there is none. */
  const pageButton = (label: string, cursor: Parameters<typeof goTo>[0] | null) => (
    <button type="button" onClick={() => cursor && goTo(cursor)} disabled={!cursor}>
      {label}
    </button>
  );

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
    params.q ||
    params.blocking;

  return (
    <div>
      <TypeTabs params={params} counts={counts.data} onSelect={(type) => update({ type })} />
      <Filters
        params={params}
        sort={sort}
        direction={direction}
        viewer={viewer}
        assignees={assignees}
        onChange={update}
      />
      <div className={styles.toolbar}>
        <p
          className="muted"
          style={{ margin: 0 }}
          role="status"
          aria-live="polite"
          data-testid="queue-total"
        >
          {counts.data ? `${countText(totalOf(counts.data, params.type))} · ` : ""}
          {params.blocking ? "blocking a close · " : ""}
          sorted by {SORT_LABELS[sort].toLowerCase()}, {DIRECTION_LABELS[sort][direction]}
          {sort === "amount" ? " (each in its own currency, not converted)" : ""}
          {sort === "reporting_amount"
            ? ` (converted at the rate of the day each opened; unknown or without a rate ${direction === "desc" ? "last" : "first"})`
            : ""}
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
          <DateTime value={page.asOf} />.
        </p>
      ) : null}
      {outcome ? <BulkOutcome outcome={outcome} outcomeRef={outcomeRef} /> : null}
      {canWork && selected.size > 0 ? (
        <BulkBar
          items={items.filter((i) => selected.has(i.id))}
          viewer={viewer}
          assignees={assignees}
          bulkAction={bulkAction}
          onDone={(result) => {
            setOutcome(result);
            // A refused request changed nothing: the selection stays for another try.
            if (result.ok || result.failures.length > 0) setSelected(new Set());
            void queryClient.invalidateQueries({ queryKey: EXCEPTIONS_QUERY_KEY });
          }}
          onClear={() => setSelected(new Set())}
        />
      ) : null}
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
        <QueueTable
          items={items}
          caption={`Exceptions${params.type ? ` of type ${TYPE_LABELS[params.type]}` : ""}`}
          now={now}
          canWork={canWork}
          selected={selected}
          onSelect={setSelected}
          sort={sort}
          direction={direction}
          onSort={sortBy}
          busy={query.isFetching}
          tableRef={tableRef}
        />
      )}
      {page && (page.previousCursor || page.nextCursor || params.after || params.before) ? (
        <nav className="pagination" aria-label="Pages">
          {pageButton("First page", page.previousCursor ? {} : null)}
          {pageButton(
            "Previous page",
            page.previousCursor ? { before: page.previousCursor } : null,
          )}
          {pageButton("Next page", page.nextCursor ? { after: page.nextCursor } : null)}
        </nav>
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

function QueueSkeletonRows() {
  return (
    <div
      role="status"
      aria-busy="true"
      aria-label="Loading the queue"
      style={{ display: "grid", gap: "0.5rem" }}
    >
      {Array.from({ length: 8 }, (_, i) => (
        <div key={i} className="skeleton" style={{ height: "2.1rem" }} />
      ))}
    </div>
  );
}
