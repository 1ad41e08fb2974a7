import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countExceptionsByType } from "@/db/queries/exceptions";
import { isDrilldownSlug } from "@/lib/kpi/drilldown";
import { loadOpenNow } from "@/lib/kpi/open-now";
import { loadOverview, type Overview } from "@/lib/kpi/overview";
import { createTestDb, type TestDb } from "../support/db";
import { seedException, unique } from "../exceptions/support";
import { DAY, ingest, invoice, reconResult } from "../kpi/support";

/*
 * The overview against a real database: each tile's "open now" count is the queue's own
 * count of that exception type (the number on its tab), whatever the range; a range whose
 * results all agreed still shows the breaks left open from before; and every series has one
 * point per bucket of the range, null where nothing was measured and 0 where zero was.
 */

let t: TestDb;

beforeAll(async () => {
  t = await createTestDb();
});

afterAll(async () => {
  await t?.close();
});

const FROM = "2025-06-01T00:00:00Z";
const TO = "2025-06-08T00:00:00Z";
const NOW = new Date("2025-06-08T00:00:00Z");

const tileOf = (overview: Overview, id: string) => {
  const tile = overview.tiles.find((x) => x.id === id);
  if (!tile) throw new Error(`no tile ${id}`);
  return tile;
};

const load = (entity: string | null, from = FROM, to = TO) =>
  loadOverview(
    t.db,
    { from: new Date(from), to: new Date(to), entity },
    { filterQuery: entity ? `entity=${entity}` : "", now: NOW },
  );

describe("open exceptions beside the tiles", () => {
  const entity = unique("OV-EU");
  const other = unique("OV-US");

  beforeAll(async () => {
    // A break reconciled in May, still open; in the range every result agrees.
    await ingest(t.db, [
      reconResult({
        runId: unique("run-may"),
        key: "cus_1",
        kind: "billing_vs_erp",
        entity,
        periodEnd: "2025-05-01T00:00:00Z",
        currency: "EUR",
        expectedMinor: 10_000,
        actualMinor: 9_000,
      }),
      reconResult({
        runId: unique("run-june"),
        key: "cus_1",
        kind: "billing_vs_erp",
        entity,
        periodEnd: "2025-06-03T00:00:00Z",
        currency: "EUR",
        expectedMinor: 10_000,
        actualMinor: 10_000,
      }),
    ]);
    // Open ones in every open status, closed ones that must not count, another entity's.
    for (const status of ["open", "in_progress", "awaiting_approval"] as const) {
      await seedException(t.db, { type: "reconciliation_break", status, entity });
      await seedException(t.db, { type: "erp_posting_failed", status, entity });
    }
    await seedException(t.db, { type: "reconciliation_break", status: "resolved", entity });
    await seedException(t.db, { type: "erp_posting_failed", status: "dismissed", entity });
    await seedException(t.db, { type: "entitlement_out_of_sync", entity });
    await seedException(t.db, { type: "usage_incomplete", entity: other });
    await seedException(t.db, { type: "invoice_disputed", entity });
    await seedException(t.db, { type: "reconciliation_break", entity: other });
  });

  it("shows a range with no break as on target, and the breaks still open beside it", async () => {
    const overview = await load(entity);
    const tile = tileOf(overview, "reconciliation");
    expect(tile.display).toBe("0");
    expect(tile.status).toBe("ok");
    expect(tile.measures).toMatch(/in the range/);
    // The May break detected at ingestion plus the three seeded open ones.
    expect(tile.openNow).toEqual({
      type: "reconciliation_break",
      count: 4,
      text: "4 reconciliation breaks open now",
      href: `/exceptions?type=reconciliation_break&entity=${entity}`,
    });
  });

  it("counts what the queue's tabs count, for one entity and for all", async () => {
    for (const scope of [entity, other, null]) {
      const overview = await load(scope);
      const tabs = await countExceptionsByType(t.db, { entity: scope }, { cap: 100_000, now: NOW });
      const withQueue = overview.tiles.filter((tile) => tile.openNow);
      expect(withQueue.map((tile) => tile.id).sort()).toEqual([
        "entitlement-sync",
        "erp-eventual",
        "erp-first-pass",
        "invoice-latency",
        "reconciliation",
        "usage-completeness",
      ]);
      for (const tile of withQueue) {
        expect(tile.openNow!.count, `${tile.id} for ${scope ?? "all"}`).toBe(
          tabs[tile.openNow!.type].count,
        );
      }
      // The drill-down pages behind the tiles show the same line.
      for (const tile of overview.tiles) {
        const slug = tile.href.split("?")[0]!.replace("/overview/", "");
        if (!isDrilldownSlug(slug)) throw new Error(`no drill-down ${slug}`);
        expect(await loadOpenNow(t.db, slug, scope, NOW), tile.id).toEqual(tile.openNow);
      }
      // The open-exceptions tile: its total is the "All" tab, and it lists every type that
      // has something open, each linked to its tab.
      const open = tileOf(overview, "open-exceptions");
      const total = Object.values(tabs).reduce((sum, c) => sum + c.count, 0);
      expect(open.value).toBe(total);
      const listed = open.details.filter((d) => typeof d !== "string");
      expect(listed).toHaveLength(Object.values(tabs).filter((c) => c.count > 0).length);
      for (const [type, c] of Object.entries(tabs)) {
        if (c.count === 0) continue;
        expect(listed).toContainEqual(
          expect.objectContaining({
            href: `/exceptions?type=${type}${scope ? `&entity=${scope}` : ""}`,
            text: expect.stringContaining(`: ${c.count} (oldest`),
          }),
        );
      }
    }
  });

  it("says 'none open' rather than hiding the line when the queue is empty", async () => {
    const overview = await load(other);
    expect(tileOf(overview, "erp-first-pass").openNow).toMatchObject({
      count: 0,
      text: "No failed postings open now",
    });
  });
});

describe("series over the whole range", () => {
  const entity = unique("OV-SERIES");

  beforeAll(async () => {
    await ingest(t.db, [
      // One invoice on 3 June; nothing else issued in the week.
      invoice({
        invoiceId: unique("INV"),
        entity,
        periodEnd: "2025-06-02T20:00:00Z",
        issuedAt: "2025-06-03T08:00:00Z",
      }),
      // Results on 2 June (one break) and 5 June (all agree): a break, then a measured zero.
      reconResult({
        runId: unique("run"),
        key: "a",
        kind: "billing_vs_erp",
        entity,
        periodEnd: "2025-06-02T00:00:00Z",
        currency: "EUR",
        expectedMinor: 100,
        actualMinor: 90,
      }),
      reconResult({
        runId: unique("run"),
        key: "b",
        kind: "billing_vs_erp",
        entity,
        periodEnd: "2025-06-05T12:00:00Z",
        currency: "EUR",
        expectedMinor: 100,
        actualMinor: 100,
      }),
    ]);
  });

  it("has a point for every day, null where nothing was measured and 0 where zero was", async () => {
    const overview = await load(entity);
    const days = Array.from({ length: 7 }, (_, i) =>
      new Date(Date.parse(FROM) + i * DAY).toISOString().replace(".000Z", "Z"),
    );
    expect(overview.charts.bucket).toBe("day");
    expect(overview.charts.breaks.points).toEqual(
      days.map((bucket) => ({
        bucket,
        value: bucket.startsWith("2025-06-02") ? 1 : bucket.startsWith("2025-06-05") ? 0 : null,
      })),
    );
    expect(overview.charts.invoiceLatencyP95.points).toEqual(
      days.map((bucket) => ({
        bucket,
        value: bucket.startsWith("2025-06-03") ? 12 * 3_600_000 : null,
      })),
    );
    // Nothing posted or metered: the charts say so in words.
    expect(overview.charts.firstPassRate.points.every((p) => p.value === null)).toBe(true);
    expect(overview.charts.firstPassRate.emptyText).toBe("No posting started in this range");
    expect(overview.charts.completeness.emptyText).toBe("No usage window ended in this range");
    expect(tileOf(overview, "invoice-latency").sparkline).toEqual(
      overview.charts.invoiceLatencyP95.points,
    );
  });

  it("buckets a two-day range by the hour, every hour present", async () => {
    const overview = await load(entity, "2025-06-02T00:00:00Z", "2025-06-04T00:00:00Z");
    expect(overview.charts.bucket).toBe("hour");
    const points = overview.charts.invoiceLatencyP95.points;
    expect(points).toHaveLength(48);
    expect(points.filter((p) => p.value !== null)).toEqual([
      { bucket: "2025-06-03T08:00:00Z", value: 12 * 3_600_000 },
    ]);
  });

  it("says there is nothing when a range holds no invoice at all", async () => {
    const overview = await load(entity, "2025-07-01T00:00:00Z", "2025-07-08T00:00:00Z");
    expect(overview.charts.invoiceLatencyP95.points).toHaveLength(7);
    expect(overview.charts.invoiceLatencyP95.points.every((p) => p.value === null)).toBe(true);
    expect(overview.charts.invoiceLatencyP95.emptyText).toBe("No invoices issued in this range");
    expect(tileOf(overview, "invoice-latency").emptyText).toBe("No invoices issued in this range");
  });
});
