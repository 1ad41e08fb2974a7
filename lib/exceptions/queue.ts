import { z } from "zod";
import type { Db } from "@/db/client";
import {
  DEFAULT_DIRECTION,
  EXCEPTION_SORTS,
  countExceptionsByType,
  listExceptions,
  type CappedCount,
  type ExceptionFilters,
} from "@/db/queries/exceptions";
import type {
  ExceptionAmounts,
  ExceptionHeadline,
  ExceptionKey,
  ExceptionListRow,
} from "@/db/queries/exception-rows";
import type { ExceptionCorrelation, ExceptionType } from "@/db/schema";
import { Timestamp } from "@/lib/contract";
import { InvalidInput } from "@/lib/errors";
import { decodeCursor, encodeCursor } from "@/lib/pagination";
import { exceptionsBlockingClose } from "./blocks-close";
import { AGE_MS, DEFAULT_PAGE_SIZE, type QueueParams } from "./queue-params";
import type { SlaTarget } from "./sla";
import { loadSlaPolicy } from "./sla-settings";
import { loadReportingCurrency } from "@/lib/money/reporting";
import { parseMoneyInput } from "@/lib/money-input";

/** A bound typed in major units of `currency`, in its minor units; the error names the param. */
function parseMajorUnitsAs(name: string, text: string, currency: string): number {
  try {
    return parseMoneyInput(text, currency);
  } catch (error) {
    if (error instanceof InvalidInput)
      throw new InvalidInput(`${name}: ${error.message.replace(/^amount: /, "")}`);
    throw error;
  }
}

/*
 * A page of the queue as the browser receives it (JSON-safe: dates as ISO text), built from
 * the URL's params for one viewer ("me" is whoever asks). The page prefetches it on the
 * server and GET /api/v1/exceptions answers it, so both give the same shape.
 */

/**
 * "1,000+" is as precise as a work queue needs; counting further costs a scan of every
 * matching row each time the tabs refresh.
 */
export const COUNT_CAP = 1_000;

export interface QueueItem extends ExceptionHeadline, ExceptionCorrelation, ExceptionAmounts {
  ownerId: string | null;
  ownerLabel: string | null;
  openedAt: string;
  updatedAt: string;
  closedAt: string | null;
  resolutionCode: string | null;
  version: number;
  /** The SLA target of the exception's type (admin settings), which its age is measured against. */
  sla: SlaTarget;
}

export interface QueuePage {
  items: QueueItem[];
  nextCursor: string | null;
  previousCursor: string | null;
  /** When the page was read; ages are measured from it. */
  asOf: string;
}

/** How many exceptions match, per type (the tabs) and in all, each counted up to COUNT_CAP. */
export interface QueueCounts {
  byType: Record<ExceptionType, CappedCount>;
  /** Of the selected type, or of all types (then capped when any type is). */
  total: CappedCount;
  cap: number;
  asOf: string;
}

export interface Viewer {
  id: string;
}

/**
 * The sort key as the SQL text its cast reads (db/queries/exceptions.ts SORT_CAST): a cursor
 * is opaque to clients, not trusted, and a key the cast refuses would be a 500, not a 400.
 */
const SORT_KEY_TEXT = {
  opened_at: null,
  severity: /^-?\d{1,9}$/,
  amount: /^-?\d{1,40}(\.\d{1,40})?$/,
  reporting_amount: /^-?\d{1,19}$/,
} as const;

const Cursor = z
  .object({
    s: z.enum(EXCEPTION_SORTS),
    d: z.enum(["asc", "desc"]),
    k: z.string().max(100).nullable(),
    o: Timestamp,
    i: z.uuid(),
  })
  .refine((c) => {
    const pattern = SORT_KEY_TEXT[c.s];
    if (pattern === null) return true;
    if (c.k === null || !pattern.test(c.k)) return false;
    // A bigint key must fit the column's type, or its cast would fail in the database.
    return c.s !== "reporting_amount" || (BigInt(c.k) < 2n ** 63n && BigInt(c.k) >= -(2n ** 63n));
  });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The URL's params as query filters, with "blocks a close" resolved to the exceptions close
 * readiness names (./blocks-close.ts) for the entity filter in force.
 */
export async function resolveQueueFilters(
  db: Db,
  params: QueueParams,
  viewer: Viewer | null,
  now: Date,
): Promise<ExceptionFilters> {
  const filters = queueFilters(params, viewer);
  if (params.rmin || params.rmax) {
    const currency = await loadReportingCurrency(db);
    const minor = (text: string | null, name: string) =>
      text ? parseMajorUnitsAs(name, text, currency) : null;
    filters.minReportingMinor = minor(params.rmin, "rmin");
    filters.maxReportingMinor = minor(params.rmax, "rmax");
    if (
      filters.minReportingMinor != null &&
      filters.maxReportingMinor != null &&
      filters.minReportingMinor > filters.maxReportingMinor
    )
      throw new InvalidInput("rmin: must not be more than rmax");
  }
  if (!params.blocking) return filters;
  return { ...filters, ids: await exceptionsBlockingClose(db, { entity: params.entity, now }) };
}

/** The URL's params as query filters; "me" needs a signed-in viewer. */
export function queueFilters(params: QueueParams, viewer: Viewer | null): ExceptionFilters {
  let owner: ExceptionFilters["owner"] = null;
  if (params.owner === "me") {
    if (!viewer)
      throw new InvalidInput("owner=me needs a signed-in user; name the user's id instead");
    owner = { kind: "user", id: viewer.id };
  } else if (params.owner === "unassigned") {
    owner = { kind: "unassigned" };
  } else if (params.owner) {
    if (!UUID.test(params.owner))
      throw new InvalidInput("owner: must be me, unassigned or a user id");
    owner = { kind: "user", id: params.owner };
  }
  if (params.min != null && params.max != null && params.min > params.max) {
    throw new InvalidInput("min: must not be more than max");
  }
  return {
    type: params.type,
    entity: params.entity,
    statuses: params.status,
    owner,
    minAgeMs: params.age ? AGE_MS[params.age] : null,
    minAmount: params.min,
    maxAmount: params.max,
    search: params.q?.slice(0, 200) ?? null,
  };
}

function sortOf(params: QueueParams) {
  const sort = params.sort ?? "opened_at";
  return { sort, direction: params.dir ?? DEFAULT_DIRECTION[sort] };
}

function cursorKey(raw: string | null, sort: string, direction: string): ExceptionKey | null {
  if (!raw) return null;
  const c = decodeCursor(raw, Cursor);
  // A cursor belongs to the order it was made in; in another it would point anywhere.
  if (c.s !== sort || c.d !== direction)
    throw new InvalidInput("cursor: belongs to another sort; start from the first page");
  return { sortKey: c.k, openedAt: c.o, id: c.i };
}

const encodeKey = (key: ExceptionKey | null, sort: string, direction: string) =>
  key ? encodeCursor({ s: sort, d: direction, k: key.sortKey, o: key.openedAt, i: key.id }) : null;

export function toQueueItem(row: ExceptionListRow, sla: SlaTarget): QueueItem {
  return {
    id: row.id,
    type: row.type,
    status: row.status,
    severity: row.severity,
    title: row.title,
    entity: row.entity,
    amountMinor: row.amountMinor,
    currency: row.currency,
    amountAtRisk: row.amountAtRisk,
    amountAtRiskReporting: row.amountAtRiskReporting,
    reportingCurrency: row.reportingCurrency,
    ownerId: row.ownerId,
    ownerLabel: row.ownerName ?? row.ownerEmail,
    openedAt: row.openedAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    closedAt: row.closedAt?.toISOString() ?? null,
    resolutionCode: row.resolutionCode,
    version: row.version,
    invoiceId: row.invoiceId,
    postingId: row.postingId,
    paymentId: row.paymentId,
    customerId: row.customerId,
    runId: row.runId,
    contractId: row.contractId,
    sla,
  };
}

export async function loadQueuePage(
  db: Db,
  params: QueueParams,
  viewer: Viewer | null,
  now = new Date(),
): Promise<QueuePage> {
  const { sort, direction } = sortOf(params);
  if (params.after && params.before)
    throw new InvalidInput("after and before: give one cursor, not both");
  const after = cursorKey(params.after, sort, direction);
  const before = cursorKey(params.before, sort, direction);
  const [filters, policy] = await Promise.all([
    resolveQueueFilters(db, params, viewer, now),
    loadSlaPolicy(db),
  ]);
  const page = await listExceptions(db, {
    ...filters,
    sort,
    direction,
    after,
    before,
    limit: params.size ?? DEFAULT_PAGE_SIZE,
    now,
  });
  return {
    items: page.rows.map((row) => toQueueItem(row, policy[row.type])),
    nextCursor: encodeKey(page.next, sort, direction),
    previousCursor: encodeKey(page.previous, sort, direction),
    asOf: now.toISOString(),
  };
}

/**
 * The counts behind the tabs and the total, apart from the page: they cost more than a page
 * at 100,000 open exceptions, so the browser asks for them on their own and less often.
 */
export async function loadQueueCounts(
  db: Db,
  params: QueueParams,
  viewer: Viewer | null,
  now = new Date(),
): Promise<QueueCounts> {
  const filters = await resolveQueueFilters(db, params, viewer, now);
  const byType = await countExceptionsByType(db, filters, {
    cap: COUNT_CAP,
    now,
  });
  const all = Object.values(byType);
  const total = params.type
    ? byType[params.type]
    : { count: all.reduce((sum, c) => sum + c.count, 0), capped: all.some((c) => c.capped) };
  return { byType, total, cap: COUNT_CAP, asOf: now.toISOString() };
}

/**
 * Every matching exception in queue order, a page at a time (keyset, so memory stays flat
 * and a row closing meanwhile never shifts the rest), up to `limit` rows.
 */
export async function* allMatching(
  db: Db,
  params: QueueParams,
  viewer: Viewer | null,
  options: { limit: number; batch?: number; now?: Date },
): AsyncGenerator<ExceptionListRow[]> {
  const now = options.now ?? new Date();
  const filters = await resolveQueueFilters(db, params, viewer, now);
  const { sort, direction } = sortOf(params);
  let after: ExceptionKey | null = null;
  let left = options.limit;
  while (left > 0) {
    const page = await listExceptions(db, {
      ...filters,
      sort,
      direction,
      after,
      limit: Math.min(options.batch ?? 1000, left),
      now,
    });
    if (page.rows.length > 0) yield page.rows;
    left -= page.rows.length;
    if (!page.next) return;
    after = page.next;
  }
}
