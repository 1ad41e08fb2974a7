import {
  createLoader,
  createSerializer,
  parseAsArrayOf,
  parseAsBoolean,
  parseAsFloat,
  parseAsNumberLiteral,
  parseAsString,
  parseAsStringLiteral,
  type inferParserType,
} from "nuqs/server";
import { SORTS, STATUSES, TYPES } from "./vocabulary";

/*
 * The queue's URL: every filter, the sort and the page are search params, so a view is a
 * link that can be saved or shared. The same parsers read the URL in the page (server), in
 * the queue (browser, useQueryStates), in GET /api/v1/exceptions and its CSV export.
 * `entity` is the shell's global entity filter (lib/filters/search-params.ts), same key.
 */

export const AGE_CHOICES = ["1h", "24h", "72h", "7d"] as const;
export type AgeChoice = (typeof AGE_CHOICES)[number];
export const AGE_MS: Record<AgeChoice, number> = {
  "1h": 3_600_000,
  "24h": 24 * 3_600_000,
  "72h": 72 * 3_600_000,
  "7d": 7 * 24 * 3_600_000,
};

export const PAGE_SIZES = [25, 50, 100] as const;
export const DEFAULT_PAGE_SIZE = 50;

export const queueParsers = {
  type: parseAsStringLiteral(TYPES),
  entity: parseAsString,
  /** Absent: every status that still needs someone (open, in progress, awaiting approval). */
  status: parseAsArrayOf(parseAsStringLiteral(STATUSES)),
  /** "me", "unassigned" or a user id. */
  owner: parseAsString,
  age: parseAsStringLiteral(AGE_CHOICES),
  /** Amount bounds in major units of each exception's currency. */
  min: parseAsFloat,
  max: parseAsFloat,
  /**
   * Bounds on the amount at risk in the reporting currency, in its major units as typed
   * ("1250.50"): read exactly, never through a float.
   */
  rmin: parseAsString,
  rmax: parseAsString,
  q: parseAsString,
  /** Only exceptions that make a close-readiness check fail for their entity (./blocks-close.ts). */
  blocking: parseAsBoolean,
  sort: parseAsStringLiteral(SORTS),
  dir: parseAsStringLiteral(["asc", "desc"] as const),
  size: parseAsNumberLiteral(PAGE_SIZES),
  /** Opaque keyset cursors from the previous answer. */
  after: parseAsString,
  before: parseAsString,
};

export type QueueParams = inferParserType<typeof queueParsers>;

export const loadQueueParams = createLoader(queueParsers);
export const serializeQueueParams = createSerializer(queueParsers);

/** The params that select rows, without the page: what the CSV export and the tab counts use. */
export function withoutPage(params: QueueParams): QueueParams {
  return { ...params, after: null, before: null, size: null };
}

/** The react-query key of a queue page; the same on the server (prefetch) and in the browser. */
export function queueQueryKey(params: QueueParams) {
  return ["exceptions", "queue", serializeQueueParams(params)] as const;
}

/** The params the counts depend on: the filters, not the type (every tab is counted), sort or page. */
export function countParams(params: QueueParams): QueueParams {
  return { ...withoutPage(params), type: null, sort: null, dir: null };
}

/** The react-query key of the tab counts; switching tabs or pages keeps them. */
export function countsQueryKey(params: QueueParams) {
  return ["exceptions", "counts", serializeQueueParams(countParams(params))] as const;
}

/** Everything cached about exceptions, for invalidation after an action. */
export const EXCEPTIONS_QUERY_KEY = ["exceptions"] as const;
