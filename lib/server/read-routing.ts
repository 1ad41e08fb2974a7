import "server-only";
import { cookies } from "next/headers";
import { getDb } from "@/db";
import type { Db } from "@/db/client";
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

/*
 * Which reads may run on a streaming replica, and read-your-writes (docs/replicas.md).
 * Dashboards, KPIs, queue lists, exports and search read through here; everything else, and
 * every write, uses the primary. After a person or a key writes, the WAL position of that
 * write is remembered for them — in a cookie for a browser, and in this process for an API
 * caller — and their reads go only to a replica that has replayed it, else to the primary.
 * A replica catches up in milliseconds, so the very next page after an action is usually the
 * only one the primary serves.
 */

export const READ_AFTER_COOKIE = "closeline-read-after";

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

/** The callers of this process that wrote lately, by principal, for API callers without cookies. */
const lastWrites = new Map<string, { position: WalPosition; until: number }>();
const MAX_REMEMBERED = 10_000;

function remember(caller: string, position: WalPosition) {
  const now = Date.now();
  if (lastWrites.size >= MAX_REMEMBERED) {
    for (const [key, entry] of lastWrites) if (entry.until <= now) lastWrites.delete(key);
    // Still full of live entries: the oldest go first (a Map iterates in insertion order).
    for (const key of lastWrites.keys()) {
      if (lastWrites.size < MAX_REMEMBERED) break;
      lastWrites.delete(key);
    }
  }
  lastWrites.delete(caller);
  lastWrites.set(caller, { position, until: now + markerSeconds() * 1_000 });
}

function remembered(caller: string): WalPosition | null {
  const entry = lastWrites.get(caller);
  if (!entry) return null;
  if (entry.until > Date.now()) return entry.position;
  lastWrites.delete(caller);
  return null;
}

/** Who an API request acts as (lib/auth/session.ts `Principal`), by what stays the same. */
export type Caller =
  { kind: "user"; user: { id: string } } | { kind: "api_key"; key: { id: string } };

function callerKey(caller: Caller): string {
  return caller.kind === "user" ? `user:${caller.user.id}` : `key:${caller.key.id}`;
}

/** Writes awaiting their answer: the request, who made it, and the primary they wrote to. */
const pendingWrites = new WeakMap<Request, { caller: string; router: ReadRouter }>();

/**
 * Called by guardApi once it knows who is asking. A request that may write (anything but GET
 * and HEAD) on a primary with replicas is noted, so that its successful answer can carry the
 * marker (noteApiWrite).
 */
export function noteApiCaller(db: Db, request: Request, caller: Caller): void {
  if (request.method === "GET" || request.method === "HEAD") return;
  const router = readRouterFor(db);
  if (router.hasReplicas) pendingWrites.set(request, { caller: callerKey(caller), router });
}

/**
 * After an API request answered with success: remembers the WAL position of what it wrote for
 * its caller, and hands a browser (a request without a bearer credential) the cookie too.
 */
export async function noteApiWrite(request: Request, response: Response): Promise<void> {
  const pending = pendingWrites.get(request);
  if (!pending || response.status >= 400) return;
  pendingWrites.delete(request);
  const position = await pending.router.writePosition();
  if (position === null) return;
  remember(pending.caller, position);
  if (!request.headers.has("authorization")) {
    response.headers.append("set-cookie", markerCookie(position));
  }
}

function markerCookie(position: WalPosition): string {
  return `${READ_AFTER_COOKIE}=${encodeURIComponent(formatWalPosition(position))}; Path=/; Max-Age=${markerSeconds()}; HttpOnly; SameSite=Lax`;
}

/**
 * A read for an API handler: on a replica that has replayed this caller's last write (its
 * cookie, or what this process remembers), else on the primary.
 */
export function readForApi<T>(
  db: Db,
  request: Request,
  caller: Caller,
  fn: (db: Db) => Promise<T>,
): Promise<Served<T>> {
  const atLeast = later(
    positionFromCookieHeader(request.headers.get("cookie")),
    remembered(callerKey(caller)),
  );
  return readRouterFor(db).read(fn, atLeast);
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
