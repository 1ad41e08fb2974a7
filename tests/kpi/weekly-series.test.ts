import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { computeKpis, type KpiReport, type KpiSummary } from "@/lib/kpi/engine";
import { bucketStarts } from "@/lib/kpi/series";
import { createTestDb, type TestDb } from "../support/db";
import {
  DAY,
  HOUR,
  MINUTE,
  attempt,
  checkpoint,
  entitlement,
  ingest,
  invoice,
  payment,
  reconResult,
  setReceivedAt,
  type FixtureEvent,
} from "./support";

/*
 * Weekly series, for the overview's charts over ranges longer than a quarter: each week's
 * bucket holds exactly what a range of its own (the week, cut to the range at either end)
 * would, for every KPI, on the same engine paths as the daily series (rollups, part-days,
 * exact percentiles). The HTTP API does not ask for weeks: its buckets stay hours and days.
 */

let t: TestDb;

beforeAll(async () => {
  t = await createTestDb();
});

afterAll(async () => {
  await t?.close();
});

// Wednesday 15 January 2025, 10:00 UTC, to Thursday 1 May: 106 days, 16 ISO weeks touched.
const FROM = new Date("2025-01-15T10:00:00Z");
const TO = new Date("2025-05-01T00:00:00Z");
const ENTITY = "WEEK-EU";

const at = (ms: number) => new Date(ms).toISOString();

function fixtures() {
  const events: FixtureEvent[] = [];
  const lagged: { event: FixtureEvent; receivedAt: string }[] = [];
  // Every fifth day from before the range to after it, at varying hours, so that weeks,
  // part-days and the range's edges all hold data and some weeks hold none.
  for (let day = -3; day < 112; day += 5) {
    const base = Date.parse("2025-01-15T00:00:00Z") + day * DAY;
    const hour = (day * 7) % 24;
    const issuedAt = base + hour * HOUR;
    const n = `${day + 10}`;
    const inv = invoice({
      invoiceId: `W-INV-${n}`,
      entity: ENTITY,
      periodEnd: at(issuedAt - ((day % 4) + 1) * 5 * HOUR),
      issuedAt: at(issuedAt),
    });
    events.push(inv);
    events.push(
      attempt({
        postingId: `W-PST-${n}`,
        invoiceId: `W-INV-${n}`,
        entity: ENTITY,
        attempt: 1,
        status: day % 3 === 0 ? "failed" : "succeeded",
        attemptedAt: at(issuedAt + 10 * MINUTE),
      }),
      reconResult({
        runId: `W-RUN-${n}`,
        key: "k",
        kind: "billing_vs_erp",
        entity: ENTITY,
        periodEnd: at(issuedAt),
        currency: "EUR",
        expectedMinor: 10_000,
        actualMinor: day % 4 === 0 ? 9_000 : 10_000,
      }),
      payment({ paymentId: `W-PAY-${n}`, invoiceId: `W-INV-${n}`, receivedAt: at(issuedAt) }),
      entitlement({ paymentId: `W-PAY-${n}`, updatedAt: at(issuedAt + (day % 5) * 20 * MINUTE) }),
      checkpoint({
        entity: ENTITY,
        meter: "api_calls",
        windowStart: at(issuedAt - HOUR),
        windowEnd: at(issuedAt),
        expectedCount: 1_000,
        receivedCount: 1_000 - (day % 7) * 10,
      }),
    );
    lagged.push({ event: inv, receivedAt: at(issuedAt + ((day % 6) + 1) * MINUTE) });
  }
  return { events, lagged };
}

const SUMMARY_KEYS = [
  "usageCompleteness",
  "eventLag",
  "invoiceLatency",
  "erpPosting",
  "reconciliation",
  "paymentToEntitlement",
] as const satisfies readonly (keyof KpiSummary)[];

const summaryOf = (r: KpiSummary) => Object.fromEntries(SUMMARY_KEYS.map((k) => [k, r[k]]));

describe("weekly series", () => {
  let report: KpiReport;

  beforeAll(async () => {
    const { events, lagged } = fixtures();
    await ingest(t.db, events);
    for (const { event, receivedAt } of lagged) await setReceivedAt(t.db, event, receivedAt);
    report = await computeKpis(
      t.db,
      { from: FROM, to: TO, entity: ENTITY },
      { now: TO, include: { byEntity: false }, weeks: true },
    );
  });

  it("buckets a range over 92 days by ISO week, labelled by its Monday", () => {
    expect(report.range.bucket).toBe("week");
    const weeks = bucketStarts(FROM, TO, "week");
    expect(weeks[0]).toBe("2025-01-13T00:00:00Z");
    expect(weeks.at(-1)).toBe("2025-04-28T00:00:00Z");
    expect(weeks).toHaveLength(16);
    for (const w of weeks) expect(new Date(w).getUTCDay()).toBe(1);
    // The engine's labels are among them, and some weeks do hold data.
    const labels = report.series.map((s) => s.bucket);
    expect(labels.every((l) => weeks.includes(l))).toBe(true);
    expect(labels.length).toBeGreaterThan(10);
  });

  it("gives each week exactly what a range of that week alone gives", async () => {
    for (const bucket of report.series) {
      const start = Date.parse(bucket.bucket);
      const scope = {
        from: new Date(Math.max(start, FROM.getTime())),
        to: new Date(Math.min(start + 7 * DAY, TO.getTime())),
        entity: ENTITY,
      };
      const alone = await computeKpis(t.db, scope, {
        now: TO,
        include: { series: false, byEntity: false, details: false },
      });
      expect(summaryOf(bucket), bucket.bucket).toEqual(summaryOf(alone));
    }
  });

  it("adds the weeks up to the headline", () => {
    // Every KPI has something in the range, so the sums below say something.
    expect(report.invoiceLatency.count).toBeGreaterThan(15);
    expect(report.eventLag.count).toBeGreaterThan(15);
    expect(report.reconciliation.breaks).toBeGreaterThan(3);
    expect(report.paymentToEntitlement.synced).toBeGreaterThan(15);
    expect(report.usageCompleteness.missing).toBeGreaterThan(0);
    const sum = (pick: (s: KpiSummary) => number) =>
      report.series.reduce((total, s) => total + pick(s), 0);
    expect(sum((s) => s.invoiceLatency.count)).toBe(report.invoiceLatency.count);
    expect(sum((s) => s.erpPosting.postings)).toBe(report.erpPosting.postings);
    expect(sum((s) => s.reconciliation.breaks)).toBe(report.reconciliation.breaks);
    expect(sum((s) => Number(s.usageCompleteness.expected))).toBe(
      report.usageCompleteness.expected,
    );
    expect(sum((s) => s.eventLag.count)).toBe(report.eventLag.count);
  });

  it("keeps the API's daily buckets for the same range", async () => {
    const daily = await computeKpis(
      t.db,
      { from: FROM, to: TO, entity: ENTITY },
      { now: TO, include: { byEntity: false, details: false } },
    );
    expect(daily.range.bucket).toBe("day");
    expect(daily.series.length).toBeGreaterThan(report.series.length);
  });

  it("keeps a 90-day range daily, weeks allowed or not", async () => {
    const quarter = await computeKpis(
      t.db,
      {
        from: new Date("2025-01-20T00:00:00Z"),
        to: new Date("2025-04-20T00:00:00Z"),
        entity: null,
      },
      { now: TO, include: { byEntity: false, details: false }, weeks: true },
    );
    expect(quarter.range.bucket).toBe("day");
  });
});
