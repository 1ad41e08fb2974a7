import "server-only";
import { cookies } from "next/headers";
import { getDb } from "@/db";
import type { Db } from "@/db/client";
import { lastCallerWrite, recordCallerWrite } from "@/db/queries/caller-writes";
import {
  formatWalPosition,
  parseWalPosition,
  readRouterFor,
  type ReadRouter,
  type Served,
  type ServedFrom,
  type WalPosition,
} from "@/db/replicas";
import { env } from "@/lib/env";
import { isTransientDatabaseError } from "@/lib/errors";

/*
 * Which reads may run on a streaming replica, and read-your-writes (docs/replicas.md).
 * Dashboards, KPIs, queue lists, exports and search read through here; everything else, and
 * every write, uses the primary. After a person or a key writes, the WAL position of that
 * write is remembered for them — in a cookie for a browser, and on the primary, in a small
 * table every app instance reads, for a caller with a bearer token — and their reads go only
 * to a replica that has replayed it, else to the primary. A replica catches up in
 * milliseconds, so the very next read after a write is usually the only one the primary serves.
 */

export const READ_AFTER_COOKIE = "closeline-read-after";

/**
 * On a write's answer: the WAL position to read after. A client may send it back on a read
 * (the write's caller, or another one whose read must follow that write), which then goes only
 * to a replica that has replayed it. Only ever a lower bound: it adds to what Closeline knows
 * of the caller, never replaces it.
 */
export const WRITE_POSITION_HEADER = "closeline-write-position";

/**
 * The marker outlives the moment it matters: once it expires, any replica that may serve reads
 * is at most DATABASE_REPLICA_MAX_LAG_SECONDS behind (plus the few seconds its state is
 * trusted), so it has the write anyway.
 */
function markerSeconds(): number {
  return Math.ceil(env.DATABASE_REPLICA_MAX_LAG_SECONDS) + 30;
}

/** The marker the browser sends back: `<WAL position>`. */
function positionFromCookieHeader(header: string | null): WalPosition | null {
  for (const part of (header ?? "").split(";")) {
    const [name, value] = part.trim().split("=");
    if (name === READ_AFTER_COOKIE) return parseWalPosition(decodeURIComponent(value ?? ""));
  }
  return null;
}

function later(a: WalPosition | null, b: WalPosition | null): WalPosition | null {
  if (a === null) return b;
  if (b === null) return a;
  return a > b ? a : b;
}

/** Past every position a replica can have replayed: the read goes to the primary. */
const NO_REPLICA: WalPosition = 0xffffffffffffffffn;

/** Who an API request acts as (lib/auth/session.ts `Principal`), by what stays the same. */
export type Caller =
  { kind: "user"; user: { id: string } } | { kind: "api_key"; key: { id: string } };

/** A person's tokens share one marker: whichever of them wrote, the person reads it. */
function callerKey(caller: Caller): string {
  return caller.kind === "user" ? `user:${caller.user.id}` : `key:${caller.key.id}`;
}

/** A caller with a bearer token sends no cookie back, scripts seldom keeping them. */
function hasBearer(request: Request): boolean {
  return request.headers.has("authorization");
}

/** Writes awaiting their answer: the request, who made it, and the primary they wrote to. */
const pendingWrites = new WeakMap<Request, { caller: string; db: Db; router: ReadRouter }>();

/**
 * Called by guardApi once it knows who is asking. A request that may write (anything but GET
 * and HEAD) on a primary with replicas is noted, so that its successful answer can carry the
 * marker (noteApiWrite).
 */
export function noteApiCaller(db: Db, request: Request, caller: Caller): void {
  if (request.method === "GET" || request.method === "HEAD") return;
  const router = readRouterFor(db);
  if (router.hasReplicas) pendingWrites.set(request, { caller: callerKey(caller), db, router });
}

/**
 * After an API request answered with success: remembers the WAL position of what it wrote —
 * on the primary for a bearer caller (one upsert that also reads the position, so no more
 * round trips than reading it alone), in a cookie for a browser — and hands it back in the
 * answer's write-position header.
 */
export async function noteApiWrite(request: Request, response: Response): Promise<void> {
  const pending = pendingWrites.get(request);
  if (!pending || response.status >= 400) return;
  pendingWrites.delete(request);
  const bearer = hasBearer(request);
  const position = bearer
    ? parseWalPosition(await recordCallerWrite(pending.db, pending.caller, markerSeconds()))
    : await pending.router.writePosition();
  if (position === null) return;
  if (!bearer) response.headers.append("set-cookie", markerCookie(position));
  response.headers.set(WRITE_POSITION_HEADER, formatWalPosition(position));
}

function markerCookie(position: WalPosition): string {
  return `${READ_AFTER_COOKIE}=${encodeURIComponent(formatWalPosition(position))}; Path=/; Max-Age=${markerSeconds()}; HttpOnly; SameSite=Lax`;
}

/**
 * A read for an API handler: on a replica that has replayed this caller's last write (its
 * cookie, or for a bearer caller the position recorded on the primary) and the position the
 * request names, else on the primary. Without replicas nothing is looked up; with them, the
 * recorded position is looked up only when some replica could serve the read at all.
 */
export function readForApi<T>(
  db: Db,
  request: Request,
  caller: Caller,
  fn: (db: Db) => Promise<T>,
): Promise<Served<T>> {
  const router = readRouterFor(db);
  if (!router.hasReplicas) return router.read(fn);
  const known = later(
    positionFromCookieHeader(request.headers.get("cookie")),
    parseWalPosition(request.headers.get(WRITE_POSITION_HEADER)),
  );
  if (!hasBearer(request)) return router.read(fn, known);
  return router.read(fn, async () => {
    try {
      return later(known, parseWalPosition(await lastCallerWrite(db, callerKey(caller))));
    } catch (error) {
      // Not knowing the caller's last write, only the primary is sure to hold it.
      if (!isTransientDatabaseError(error)) throw error;
      return NO_REPLICA;
    }
  });
}

/**
 * A replica this far behind or more is worth telling the viewer about: below it the page is as
 * current as the time it took to render.
 */
export const AS_OF_AFTER_SECONDS = 1;

/** What a page read, and the instant its data is complete up to when that is noticeably past. */
export interface PageRead<T> {
  value: T;
  /** ISO instant, or null when the data is current (the primary, or a replica keeping up). */
  asOf: string | null;
}

/** A read for a page: on a replica that has replayed the viewer's last action, else the primary. */
export async function readForPage<T>(fn: (db: Db) => Promise<T>): Promise<PageRead<T>> {
  const db = await getDb();
  const router = readRouterFor(db);
  const atLeast = router.hasReplicas
    ? parseWalPosition((await cookies()).get(READ_AFTER_COOKIE)?.value)
    : null;
  const { value, from } = await router.read(fn, atLeast);
  return { value, asOf: asOfWorthShowing(from) };
}

export function asOfWorthShowing(from: ServedFrom): string | null {
  return from.asOf && from.lagSeconds >= AS_OF_AFTER_SECONDS ? from.asOf.toISOString() : null;
}

/**
 * After a server action succeeded: the browser's next pages read only what has replayed its
 * write. Nothing happens without replicas.
 */
export async function markActionWrite(): Promise<void> {
  const router = readRouterFor(await getDb());
  if (!router.hasReplicas) return;
  const position = await router.writePosition();
  if (position === null) return;
  (await cookies()).set(READ_AFTER_COOKIE, formatWalPosition(position), {
    path: "/",
    maxAge: markerSeconds(),
    httpOnly: true,
    sameSite: "lax",
  });
}
