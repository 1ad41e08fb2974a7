import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import {
  countExceptions,
  countExceptionsByType,
  listExceptions,
  type ExceptionFilters,
  type ExceptionSort,
  type ListExceptionsParams,
  type SortDirection,
} from "@/db/queries/exceptions";
import {
  EXCEPTION_STATUSES,
  exceptions,
  fxRates,
  type ExceptionStatus,
  type ExceptionType,
} from "@/db/schema";
import { testDbForSuite } from "../support/db";
import { HOUR, usersFor } from "./support";

/*
 * The queue query: every filter against the same filter done by hand over the seeded rows,
 * every sort against the order computed by hand, and keyset paging forward and back that
 * returns each matching row exactly once. The seed has ties on purpose (same opened_at,
 * same severity, same amount, no amount) so the tie-breakers are what keep pages apart.
 */

const t = testDbForSuite();
const users = usersFor(t, { ops: "operations", fin: "finance" });

const NOW = new Date("2025-06-30T12:00:00Z");
const TYPES: ExceptionType[] = ["erp_posting_failed", "reconciliation_break", "invoice_disputed"];
const ENTITIES = [
  { entity: "ACME-US", currency: "USD" },
  { entity: "ACME-DE", currency: "EUR" },
  { entity: "ACME-JP", currency: "JPY" },
];
const SEVERITIES = ["low", "medium", "high", "critical"] as const;
const STATUSES: ExceptionStatus[] = [
  "open",
  "open",
  "in_progress",
  "open",
  "awaiting_approval",
  "resolved",
  "awaiting_confirmation",
  "dismissed",
];
const AMOUNTS = [null, 12_345, -12_345, 100_000, 5_000_000, 99, 100_000];

interface Seeded {
  id: string;
  type: ExceptionType;
  status: ExceptionStatus;
  severity: (typeof SEVERITIES)[number];
  title: string;
  entity: string;
  currency: string;
  amountMinor: number | null;
  ownerId: string | null;
  invoiceId: string;
  openedAt: Date;
}

let seeded: Seeded[] = [];

/** Rates into USD from before the first seeded exception: EUR at 1.1, JPY at 0.0067. */
const RATES = [
  { currency: "EUR", rate: "1.1" },
  { currency: "JPY", rate: "0.0067" },
];

beforeAll(async () => {
  await t.db.insert(fxRates).values(
    RATES.map((r) => ({
      ...r,
      reportingCurrency: "USD",
      effectiveDate: "2025-06-01",
      source: "admin" as const,
      at: new Date("2025-06-01T00:00:00Z"),
    })),
  );
  const rows = Array.from({ length: 61 }, (_, i) => {
    const place = ENTITIES[i % 3]!;
    return {
      type: TYPES[(i * 5) % 3]!,
      problemKey: `queue-${i}`,
      status: STATUSES[i % STATUSES.length]!,
      severity: SEVERITIES[(i * 3) % 4]!,
      title: i % 10 === 0 ? `Posting to the ledger stuck #${i}` : `Exception number ${i}`,
      entity: place.entity,
      currency: place.currency,
      amountMinor: AMOUNTS[i % AMOUNTS.length]!,
      ownerId: i % 4 === 0 ? users.ops.id : i % 4 === 1 ? users.fin.id : null,
      invoiceId: `INV-Q-${i}`,
      // Every fourth one shares its opened_at with the previous one.
      openedAt: new Date(NOW.getTime() - Math.floor(i - (i % 4 === 3 ? 1 : 0)) * 5 * HOUR),
    };
  });
  const inserted = await t.db.insert(exceptions).values(rows).returning();
  seeded = inserted.map((r) => ({
    id: r.id,
    type: r.type,
    status: r.status,
    severity: r.severity,
    title: r.title,
    entity: r.entity!,
    currency: r.currency!,
    amountMinor: r.amountMinor,
    ownerId: r.ownerId,
    invoiceId: r.invoiceId!,
    openedAt: r.openedAt,
  }));
});

// The SQL sort keys, by hand.
const severityOrder = { critical: 0, high: 1, medium: 2, low: 3 } as const;
const amountSize = (x: Seeded) =>
  x.amountMinor === null ? -1 : Math.abs(x.amountMinor) / (x.currency === "JPY" ? 1 : 100);
/**
 * In USD cents, rounded half up on the size: EUR cents × 11/10; yen × 0.0067 × 100 = × 67/100
 * (integer numerators, so Math.round sees exact halves).
 */
const reportingSize = (x: Seeded) => {
  if (x.amountMinor === null) return -1;
  const size = Math.abs(x.amountMinor);
  if (x.currency === "EUR") return Math.round((size * 11) / 10);
  if (x.currency === "JPY") return Math.round((size * 67) / 100);
  return size;
};
// Awaiting confirmation is open: the problem is not gone until the target system says so.
const OPEN: ExceptionStatus[] = [
  "open",
  "in_progress",
  "awaiting_approval",
  "awaiting_confirmation",
];

function compareBy(sort: ExceptionSort, direction: SortDirection) {
  const primary = (x: Seeded) =>
    sort === "severity"
      ? severityOrder[x.severity]
      : sort === "amount"
        ? amountSize(x)
        : sort === "reporting_amount"
          ? reportingSize(x)
          : 0;
  // Severity's "desc" (most severe first) is ascending on its order, and keeps oldest first.
  const ascending = sort === "severity" ? direction === "desc" : direction === "asc";
  const sign = ascending ? 1 : -1;
  return (a: Seeded, b: Seeded) =>
    sign *
    (primary(a) - primary(b) ||
      a.openedAt.getTime() - b.openedAt.getTime() ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function expected(
  filter: (x: Seeded) => boolean,
  sort: ExceptionSort = "opened_at",
  direction?: SortDirection,
) {
  const dir = direction ?? (sort === "opened_at" ? "asc" : "desc");
  return seeded
    .filter(filter)
    .sort(compareBy(sort, dir))
    .map((x) => x.id);
}

/** Every page, following `next` from the first; then back again following `previous` from the last. */
async function pageThrough(params: Omit<ListExceptionsParams, "limit">, limit = 7) {
  const forward: string[][] = [];
  let page = await listExceptions(t.db, { ...params, limit, now: NOW });
  expect(page.previous).toBeNull();
  forward.push(page.rows.map((r) => r.id));
  while (page.next) {
    page = await listExceptions(t.db, { ...params, limit, after: page.next, now: NOW });
    forward.push(page.rows.map((r) => r.id));
    expect(forward.length).toBeLessThan(100);
  }
  const backward: string[][] = [forward.at(-1)!];
  while (page.previous) {
    page = await listExceptions(t.db, { ...params, limit, before: page.previous, now: NOW });
    backward.unshift(page.rows.map((r) => r.id));
    expect(backward.length).toBeLessThan(100);
  }
  for (const p of forward) expect(p.length).toBeLessThanOrEqual(limit);
  return { forward: forward.flat(), backward: backward.flat(), pages: forward.length };
}

describe("sorting and keyset pages", () => {
  const orders: [ExceptionSort, SortDirection][] = [
    ["opened_at", "asc"],
    ["opened_at", "desc"],
    ["severity", "desc"],
    ["severity", "asc"],
    ["amount", "desc"],
    ["amount", "asc"],
    ["reporting_amount", "desc"],
    ["reporting_amount", "asc"],
  ];

  it.each(orders)(
    "by %s %s: every open exception exactly once, forward and back",
    async (sort, direction) => {
      const want = expected((x) => OPEN.includes(x.status), sort, direction);
      expect(want.length).toBeGreaterThan(30);
      const { forward, backward, pages } = await pageThrough({ sort, direction });
      expect(pages).toBeGreaterThan(3);
      expect(forward).toEqual(want);
      expect(backward).toEqual(want);
    },
  );

  it("defaults to oldest first", async () => {
    const page = await listExceptions(t.db, { limit: 100, now: NOW });
    expect(page.rows.map((r) => r.id)).toEqual(expected((x) => OPEN.includes(x.status)));
  });

  it("neither repeats nor skips a row when rows before the cursor close between pages", async () => {
    const want = expected((x) => OPEN.includes(x.status));
    const first = await listExceptions(t.db, { limit: 10, now: NOW });
    // Someone resolves two items of the first page while the queue is being read.
    const closing = first.rows.slice(0, 2);
    await t.db.execute(
      sql`update exceptions set status = 'resolved' where id in (${sql.join(
        closing.map((r) => sql`${r.id}::uuid`),
        sql`, `,
      )})`,
    );
    try {
      const second = await listExceptions(t.db, { limit: 10, after: first.next, now: NOW });
      expect(second.rows.map((r) => r.id)).toEqual(want.slice(10, 20));
    } finally {
      for (const row of closing) {
        await t.db.execute(
          sql`update exceptions set status = ${row.status} where id = ${row.id}::uuid`,
        );
      }
    }
  });

  it("says where pages are: no previous on the first, no next on the last", async () => {
    const all = expected((x) => OPEN.includes(x.status));
    const page = await listExceptions(t.db, { limit: all.length, now: NOW });
    expect(page).toMatchObject({ next: null, previous: null });
    expect(page.rows).toHaveLength(all.length);
  });
});

describe("filters", () => {
  const minAge = 48 * HOUR;
  const cases: [string, () => ExceptionFilters, (x: Seeded) => boolean][] = [
    [
      "type",
      () => ({ type: "reconciliation_break" }),
      (x) => OPEN.includes(x.status) && x.type === "reconciliation_break",
    ],
    [
      "entity",
      () => ({ entity: "ACME-DE" }),
      (x) => OPEN.includes(x.status) && x.entity === "ACME-DE",
    ],
    ["one status", () => ({ statuses: ["in_progress"] }), (x) => x.status === "in_progress"],
    [
      "closed statuses",
      () => ({ statuses: ["resolved", "dismissed"] }),
      (x) => x.status === "resolved" || x.status === "dismissed",
    ],
    ["every status", () => ({ statuses: [...EXCEPTION_STATUSES] }), () => true],
    [
      "owner",
      () => ({ owner: { kind: "user", id: users.ops.id } }),
      (x) => OPEN.includes(x.status) && x.ownerId === users.ops.id,
    ],
    [
      "unassigned",
      () => ({ owner: { kind: "unassigned" } }),
      (x) => OPEN.includes(x.status) && x.ownerId === null,
    ],
    [
      "minimum age",
      () => ({ minAgeMs: minAge }),
      (x) => OPEN.includes(x.status) && NOW.getTime() - x.openedAt.getTime() >= minAge,
    ],
    // 123.45 USD/EUR, 12,345 JPY, 1,000 USD/EUR … compared in major units of each currency.
    [
      "minimum amount",
      () => ({ minAmount: 1000 }),
      (x) => OPEN.includes(x.status) && amountSize(x) >= 1000,
    ],
    [
      "maximum amount",
      () => ({ maxAmount: 123.45 }),
      (x) => OPEN.includes(x.status) && amountSize(x) >= 0 && amountSize(x) <= 123.45,
    ],
    // 123.45 EUR is 135.80 USD, ¥12,345 is 82.71 USD: the bound is on the converted size.
    [
      "minimum amount in the reporting currency",
      () => ({ minReportingMinor: 10_000 }),
      (x) => OPEN.includes(x.status) && reportingSize(x) >= 10_000,
    ],
    [
      "maximum amount in the reporting currency",
      () => ({ maxReportingMinor: 13_580 }),
      (x) => OPEN.includes(x.status) && reportingSize(x) >= 0 && reportingSize(x) <= 13_580,
    ],
    [
      "search in titles",
      () => ({ search: "LEDGER stuck" }),
      (x) => OPEN.includes(x.status) && /ledger stuck/i.test(x.title),
    ],
    [
      "search by invoice id",
      () => ({ search: "INV-Q-7" }),
      (x) => OPEN.includes(x.status) && x.invoiceId === "INV-Q-7",
    ],
    ["search with like wildcards", () => ({ search: "%" }), () => false],
    [
      "type, entity and minimum amount together",
      () => ({ type: "erp_posting_failed", entity: "ACME-US", minAmount: 100 }),
      (x) =>
        OPEN.includes(x.status) &&
        x.type === "erp_posting_failed" &&
        x.entity === "ACME-US" &&
        amountSize(x) >= 100,
    ],
  ];

  it.each(cases)("%s", async (_name, filters, keep) => {
    const want = expected(keep);
    const { forward } = await pageThrough(filters(), 4);
    expect(forward).toEqual(want);
    expect(await countExceptions(t.db, filters(), { cap: 1000, now: NOW })).toEqual({
      count: want.length,
      capped: false,
    });
  });

  it("finds one exception by its own id whatever its status", async () => {
    const target = seeded.find((x) => x.status === "dismissed")!;
    const page = await listExceptions(t.db, {
      search: target.id,
      statuses: ["dismissed"],
      limit: 5,
      now: NOW,
    });
    expect(page.rows.map((r) => r.id)).toEqual([target.id]);
  });

  it("caps the count", async () => {
    expect(await countExceptions(t.db, {}, { cap: 5, now: NOW })).toEqual({
      count: 5,
      capped: true,
    });
  });

  it("counts by type for the tabs, with every filter but the type, each up to the cap", async () => {
    const counts = await countExceptionsByType(
      t.db,
      { entity: "ACME-US", type: "invoice_disputed" },
      { cap: 1000, now: NOW },
    );
    for (const type of TYPES) {
      const want = seeded.filter(
        (x) => OPEN.includes(x.status) && x.entity === "ACME-US" && x.type === type,
      ).length;
      expect(counts[type]).toEqual({ count: want, capped: false });
    }
    expect(counts.usage_incomplete).toEqual({ count: 0, capped: false });
    const capped = await countExceptionsByType(t.db, {}, { cap: 3, now: NOW });
    expect(capped.erp_posting_failed).toEqual({ count: 3, capped: true });
  });

  it("returns the row's owner and amount for display", async () => {
    const target = seeded.find(
      (x) => x.ownerId === users.fin.id && OPEN.includes(x.status) && x.amountMinor !== null,
    )!;
    const page = await listExceptions(t.db, { search: target.invoiceId, limit: 5, now: NOW });
    expect(page.rows[0]).toMatchObject({
      id: target.id,
      ownerId: users.fin.id,
      ownerEmail: users.fin.email,
      amountMinor: target.amountMinor,
      currency: target.currency,
      version: 1,
      openedAt: target.openedAt,
    });
  });
});
