import { parse } from "csv-parse/sync";
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { Db } from "@/db/client";
import { queryRows } from "@/db/rows";
import { AuditFilters, auditPage } from "@/lib/audit-query";
import { handleCloseReadiness, handleCloseReadinessCsv } from "@/lib/close/http";
import { handleListEvents } from "@/lib/events/http";
import {
  handleExceptionCounts,
  handleExceptionsCsv,
  handleListExceptions,
} from "@/lib/exceptions/http";
import { handleKpis } from "@/lib/kpi/http";
import { suiteWithKeys } from "../support/api-keys";
import { disputed } from "../exceptions/support";
import { seedReadTargets } from "./read-seed";
import { SQL_INJECTIONS, fingerprint, readAnswer, tableNames } from "./support";

/*
 * SQL injection through every filter parameter: each injection string must give
 * the answer a harmless string that matches nothing gives (or a 400), and leave every table
 * as it was. The seeded rows are what a working injection would return (`' OR 1=1 --`, a
 * LIKE wildcard); no seeded text contains % or _, so a wildcard that slipped through
 * unescaped would show as rows where the harmless string has none.
 */

// Signed out: the routes answer to API keys alone (tests/support/no-session.ts).
vi.mock("next-auth", async () => (await import("../support/no-session")).withoutSession());

const HARMLESS = "zz-no-such-value-zz";
/** The injections, and U+0000, which PostgreSQL refuses in a parameter altogether. */
const INJECTIONS = [...SQL_INJECTIONS, "\u0000", "a\u0000' OR 1=1 --"];

const { t, keys } = suiteWithKeys({ reader: ["read"] });
let tables: string[];

beforeAll(async () => {
  tables = await seedReadTargets(t.db, {
    // An error code without "_", so the titles detection writes hold no LIKE wildcard.
    postingErrorCode: "GLCLOSED",
    more: [[disputed("INV-1", "2025-03-02T08:00:00Z", "Wrong quantity")]],
    title: (i) => `Seeded exception ${i}`,
    openedAt: (i) => new Date(Date.UTC(2025, 2, 1 + i)),
  });
});

const VOLATILE = new Set(["asOf", "generatedAt", "computedAt"]);
const formEncoded = (text: string) => new URLSearchParams({ v: text }).toString().slice(2);

/**
 * The harmless answer as it would read with the injection in the harmless string's place:
 * where the filter is echoed back (a report's entity, the links it builds) the echo differs,
 * and nothing else may. Volatile fields (when the answer was computed) are dropped.
 */
function substitute(value: unknown, injection: string): unknown {
  if (typeof value === "string") {
    if (value === HARMLESS) return injection;
    return value.replaceAll(HARMLESS, formEncoded(injection));
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, injection));
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => !VOLATILE.has(key))
        .map(([key, v]) => [key, substitute(v, injection)]),
    );
  }
  return value;
}

/** CSV columns that read the clock (an open exception's age grows between the two calls). */
const VOLATILE_COLUMNS = new Set(["age_hours"]);

/** A CSV download as rows of cells, without the guard a spreadsheet formula gets. */
function csvRows(text: string): string[][] {
  const rows = parse(text, { relax_column_count: true }) as string[][];
  const volatile = new Set(
    (rows[0] ?? []).flatMap((name, index) => (VOLATILE_COLUMNS.has(name) ? [index] : [])),
  );
  return rows.map((row) =>
    row.map((cell, index) => (volatile.has(index) ? "" : cell.replace(/^'(?=[=+\-@\t\r])/, ""))),
  );
}

/** What an answer says, comparable across the two calls: JSON as is, CSV as its rows. */
function content(body: unknown): unknown {
  return typeof body === "string" ? csvRows(body) : body;
}

type Handler = (db: Db, request: Request) => Promise<Response>;

async function call(handler: Handler, path: string, params: Record<string, string>) {
  const url = new URL(`http://closeline.test${path}`);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  const request = new Request(url, { headers: { authorization: `Bearer ${keys.reader}` } });
  return readAnswer(await handler(t.db, request), `GET ${url}`);
}

interface Filter {
  route: string;
  handler: Handler;
  path: string;
  param: string;
  /** Other parameters, fixed, so the two calls differ only in this filter. */
  base?: Record<string, string>;
  /** What the harmless call sends instead; by default the harmless string. */
  harmlessFor?: (injection: string) => string | null;
}

const KPI_RANGE = { from: "2025-02-01T00:00:00Z", to: "2025-04-01T00:00:00Z" };
const CLOSE_BASE = { entity: "ACME-US", period: "2025-03" };
/** parseFloat reads the number an amount filter starts with, and ignores the rest. */
const asFloat = (injection: string) => {
  const n = parseFloat(injection);
  return Number.isNaN(n) ? null : String(n);
};

const EXCEPTION_PARAMS = ["entity", "q", "owner", "type", "status", "age", "sort", "dir", "size"];
const EXCEPTION_ROUTES: [string, Handler][] = [
  ["/api/v1/exceptions", handleListExceptions],
  ["/api/v1/exceptions/counts", handleExceptionCounts],
  ["/api/v1/exceptions.csv", handleExceptionsCsv],
];

const FILTERS: Filter[] = [
  ...["type", "source", "from", "to", "cursor", "limit"].map((param) => ({
    route: "GET /api/v1/events",
    handler: handleListEvents,
    path: "/api/v1/events",
    param,
  })),
  {
    route: "GET /api/v1/kpis",
    handler: handleKpis,
    path: "/api/v1/kpis",
    param: "entity",
    base: KPI_RANGE,
  },
  ...EXCEPTION_ROUTES.flatMap(([path, handler]) => [
    ...[...EXCEPTION_PARAMS, "after", "before"].map((param) => ({
      route: `GET ${path}`,
      handler,
      path,
      param,
    })),
    ...["min", "max"].map((param) => ({
      route: `GET ${path}`,
      handler,
      path,
      param,
      harmlessFor: asFloat,
    })),
  ]),
  ...(
    [
      ["/api/v1/close-readiness", handleCloseReadiness],
      ["/api/v1/close-readiness.csv", handleCloseReadinessCsv],
    ] as const
  ).flatMap(([path, handler]) =>
    ["entity", "period", "completenessTarget"].map((param) => ({
      route: `GET ${path}`,
      handler,
      path,
      param,
      base: CLOSE_BASE,
    })),
  ),
];

describe("SQL injection in every filter parameter", () => {
  it("the seeded rows are there for an injection to find", async () => {
    const all = await call(handleListExceptions, "/api/v1/exceptions", {});
    expect((all.body as { items: unknown[] }).items.length).toBeGreaterThanOrEqual(3);
    const events = await call(handleListEvents, "/api/v1/events", {});
    expect((events.body as { events: unknown[] }).events.length).toBeGreaterThanOrEqual(4);
  });

  it.each(FILTERS.map((f) => [`${f.route} ${f.param}`, f] as const))(
    "%s: every injection answers as a harmless string would, or 400",
    async (_name, filter) => {
      const before = await fingerprint(t.db, tables);
      for (const injection of INJECTIONS) {
        const harmless = filter.harmlessFor ? filter.harmlessFor(injection) : HARMLESS;
        const withParam = (value: string | null) =>
          value === null ? { ...filter.base } : { ...filter.base, [filter.param]: value };
        const attacked = await call(filter.handler, filter.path, withParam(injection));
        if (attacked.status === 400) continue;
        const reference = await call(filter.handler, filter.path, withParam(harmless));
        expect(attacked.status, JSON.stringify(injection)).toBe(reference.status);
        const expected = substitute(content(reference.body), injection);
        expect(substitute(content(attacked.body), injection), JSON.stringify(injection)).toEqual(
          expected,
        );
      }
      expect(await fingerprint(t.db, tables)).toEqual(before);
    },
    60_000,
  );

  it.each(["action", "actor", "target"] as const)(
    "the audit log's %s filter: every injection finds what a harmless string finds",
    async (param) => {
      const before = await fingerprint(t.db, tables);
      const reference = await auditPage(t.db, AuditFilters.parse({ [param]: HARMLESS }));
      expect(reference.entries).toEqual([]);
      const everything = await auditPage(t.db, AuditFilters.parse({}));
      expect(everything.entries.length).toBeGreaterThan(0);
      for (const injection of INJECTIONS) {
        const page = await auditPage(t.db, AuditFilters.parse({ [param]: injection }));
        expect(page.entries, JSON.stringify(injection)).toEqual(reference.entries);
      }
      expect(await fingerprint(t.db, tables)).toEqual(before);
    },
  );

  it("every table is still there and whole", async () => {
    const [row] = await queryRows<{ events: number; exceptions: number }>(
      t.db,
      sql`select (select count(*)::int from events) as events,
                 (select count(*)::int from exceptions) as exceptions`,
    );
    expect(row!.events).toBeGreaterThanOrEqual(4);
    expect(row!.exceptions).toBeGreaterThanOrEqual(3);
    expect(await tableNames(t.db)).toEqual(tables);
  });
});
