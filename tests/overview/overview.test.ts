import { describe, expect, it } from "vitest";
import type { KpiReport, KpiSummary } from "@/lib/kpi/engine";
import { buildOverview } from "@/lib/kpi/overview";
import { bucketStarts } from "@/lib/kpi/series";
import { changeBetween } from "@/lib/kpi/tile-value";
import { DEFAULT_TARGETS } from "@/lib/kpi/targets";
import { isolatedPoints, ratioScale, sparseNote } from "@/components/chart/chart-theme";

/*
 * The overview model: what each tile says given two reports and the targets. The numbers
 * themselves are the KPI engine's (tested in tests/kpi); here, how they are judged and shown.
 */

function summary(): KpiSummary {
  return {
    usageCompleteness: { expected: 0, received: 0, missing: 0, ratio: null },
    eventLag: { count: 0, p50Ms: null, p95Ms: null },
    invoiceLatency: { count: 0, p50Ms: null, p95Ms: null },
    erpPosting: {
      postings: 0,
      firstPassSuccessRate: null,
      eventualSuccessRate: null,
      latencyP50Ms: null,
      latencyP95Ms: null,
      openFailures: 0,
    },
    reconciliation: { results: 0, breaks: 0, breakRate: null, absVarianceMinor: {} },
    paymentToEntitlement: { count: 0, synced: 0, p50Ms: null, p95Ms: null, overdue: 0 },
  };
}

function report(from: string, to: string, patch: Partial<KpiReport> = {}): KpiReport {
  return {
    range: { from, to, entity: null, bucket: "day" },
    ...summary(),
    exceptions: { open: 0, byType: {} },
    manualInterventions: 0,
    details: { usageBySourceMeter: [], erpTopErrorCodes: [], reconciliationByKind: {} },
    series: [],
    byEntity: [],
    ...patch,
  };
}

const FROM = "2026-11-01T00:00:00.000Z";
const TO = "2026-11-04T00:00:00.000Z";
const PREV_FROM = "2026-10-29T00:00:00.000Z";

describe("the overview model", () => {
  it("shows an empty range as no data everywhere, never green, and says so", () => {
    const overview = buildOverview(report(FROM, TO), report(PREV_FROM, FROM), DEFAULT_TARGETS, {
      filterQuery: "",
    });
    expect(overview.empty).toBe(true);
    const byId = Object.fromEntries(overview.tiles.map((t) => [t.id, t]));
    // Zero breaks out of zero results is not "zero breaks": it is nothing measured.
    expect(byId["reconciliation"]!.status).toBe("no-data");
    expect(byId["reconciliation"]!.display).toBe("—");
    expect(byId["usage-completeness"]!.status).toBe("no-data");
    expect(byId["entitlement-sync"]!.status).toBe("no-data");
    expect(overview.tiles.filter((t) => t.status === "ok")).toEqual([]);
    // Counts of now or of actions really are zero, and have no target by default.
    expect(byId["open-exceptions"]!.status).toBe("no-target");
    expect(byId["manual-interventions"]!.display).toBe("0");
    // Every trend says in words what did not happen, once: not again among the details.
    for (const tile of overview.tiles.filter((t) => t.sparkline)) {
      expect(
        tile.sparkline!.every((p) => p.value === null),
        tile.id,
      ).toBe(true);
      expect(tile.emptyText, tile.id).toMatch(/^No .+ (in|for) this range$/);
      expect(tile.details, tile.id).toEqual([]);
    }
    expect(byId["invoice-latency"]!.emptyText).toBe("No invoices issued in this range");
  });

  it("judges, compares and links each tile, keeping the filters in its links", () => {
    const current = report(FROM, TO, {
      usageCompleteness: { expected: 1000, received: 996, missing: 4, ratio: 0.996 },
      erpPosting: {
        postings: 50,
        firstPassSuccessRate: 0.96,
        eventualSuccessRate: 1,
        latencyP50Ms: 1000,
        latencyP95Ms: 2000,
        openFailures: 0,
      },
      reconciliation: { results: 10, breaks: 0, breakRate: 0, absVarianceMinor: { EUR: 0 } },
      series: [
        {
          bucket: "2026-11-02T00:00:00Z",
          ...summary(),
          usageCompleteness: { expected: 10, received: 9, missing: 1, ratio: 0.9 },
        },
      ],
    });
    const previous = report(PREV_FROM, FROM, {
      usageCompleteness: { expected: 1000, received: 990, missing: 10, ratio: 0.99 },
      erpPosting: { ...current.erpPosting, firstPassSuccessRate: 0.99 },
    });
    const overview = buildOverview(current, previous, DEFAULT_TARGETS, {
      filterQuery: "entity=ACME-EU&range=7d",
    });
    const byId = Object.fromEntries(overview.tiles.map((t) => [t.id, t]));

    const completeness = byId["usage-completeness"]!;
    expect(completeness).toMatchObject({
      status: "ok",
      display: "99.60%",
      href: "/overview/usage-completeness?entity=ACME-EU&range=7d",
    });
    expect(completeness.change).toEqual({
      text: "+0.60 pp",
      direction: "up",
      assessment: "better",
    });
    expect(completeness.details).toContainEqual({
      text: "4 missing",
      href: "/overview/usage-completeness?entity=ACME-EU&range=7d&view=incomplete",
    });
    // One point per day of the range; the days without data are gaps, not zeros.
    expect(completeness.sparkline).toEqual([
      { bucket: "2026-11-01T00:00:00Z", value: null },
      { bucket: "2026-11-02T00:00:00Z", value: 0.9 },
      { bucket: "2026-11-03T00:00:00Z", value: null },
    ]);

    const firstPass = byId["erp-first-pass"]!;
    expect(firstPass.status).toBe("warn");
    expect(firstPass.change).toEqual({ text: "−3.00 pp", direction: "down", assessment: "worse" });
    expect(byId["reconciliation"]!.status).toBe("ok");
    // No earlier data to compare against.
    expect(byId["invoice-latency"]!.change).toBeNull();
    expect(byId["open-exceptions"]!.changeNote).toBe(
      "not compared: a count of now, not of the range",
    );
    expect(byId["open-exceptions"]!.measures).toBe(
      "exceptions waiting for someone now, whatever the range",
    );
    expect(overview.charts.targets).toEqual({
      completeness: 0.995,
      invoiceLatencyP95: 86_400_000,
      firstPassRate: 0.98,
    });
  });

  it("states changes in the unit people compare in", () => {
    expect(changeBetween("duration", 3_600_000 * 5, 3_600_000 * 2, false)).toEqual({
      text: "+3 h",
      direction: "up",
      assessment: "worse",
    });
    expect(changeBetween("count", 2, 5, false)).toEqual({
      text: "−3",
      direction: "down",
      assessment: "better",
    });
    expect(changeBetween("ratio", 0.99501, 0.995, true)).toMatchObject({
      direction: "flat",
      assessment: "same",
    });
  });

  it("lists every bucket of a range, hourly or daily, in the engine's labels", () => {
    expect(
      bucketStarts(new Date("2026-11-01T22:00:00Z"), new Date("2026-11-02T01:00:00Z"), "hour"),
    ).toEqual(["2026-11-01T22:00:00Z", "2026-11-01T23:00:00Z", "2026-11-02T00:00:00Z"]);
    expect(
      bucketStarts(new Date("2026-11-01T17:00:00Z"), new Date("2026-11-03T17:00:00Z"), "day"),
    ).toEqual(["2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z", "2026-11-03T00:00:00Z"]);
  });
});

describe("the ratio axis of the trend charts", () => {
  const points = (values: number[]) => values.map((value, i) => ({ bucket: String(i), value }));

  it("ends at exactly 100% and starts just below the lowest value or the target, in round steps", () => {
    expect(ratioScale(points([0.9985, 0.9971]), 0.995)).toEqual({
      ticks: [0.9925, 0.995, 0.9975, 1],
      digits: 2,
    });
    expect(ratioScale(points([0.5, 0.96]), 0.98).ticks).toEqual([0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    expect(ratioScale(points([0.02]), null)).toEqual({ ticks: [0, 0.25, 0.5, 0.75, 1], digits: 0 });
  });
});

describe("sparse series", () => {
  const series = (values: (number | null)[]) =>
    values.map((value, i) => ({ bucket: `2026-11-${String(i + 1).padStart(2, "0")}`, value }));

  it("marks the measurements a line alone would not draw", () => {
    // A lone point (between gaps or at an edge) has no segment; a measured zero is a point.
    expect(isolatedPoints(series([5, null, 0, 3, null, null, 7]))).toEqual([
      true,
      false,
      false,
      false,
      false,
      false,
      true,
    ]);
    expect(isolatedPoints(series([null, 0, null]))).toEqual([false, true, false]);
  });

  it("says how few buckets were measured when most were quiet, and nothing otherwise", () => {
    const thirty = (measured: number) =>
      series(Array.from({ length: 30 }, (_, i) => (i < measured ? 0.5 : null)));
    expect(sparseNote(thirty(3), "day")).toBe(
      "Measured on 3 of 30 days; the gaps had nothing to measure",
    );
    expect(sparseNote(thirty(15), "day")).toMatch(/^Measured on 15 of 30 days/);
    expect(sparseNote(thirty(16), "day")).toBeNull();
    // Nothing at all is the empty state's to say, not a note's.
    expect(sparseNote(thirty(0), "day")).toBeNull();
    expect(sparseNote(series([null, 1, null]), "hour")).toBe(
      "Measured on 1 of 3 hours; the gaps had nothing to measure",
    );
  });
});
