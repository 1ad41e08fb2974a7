import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { ingestItems } from "@/lib/ingest/ingest";
import { computeKpis, type KpiReport, type KpiSummary } from "@/lib/kpi/engine";
import { Simulation } from "@/lib/simulator";
import { testDbForSuite } from "../support/db";
import { KPI_SUMMARY_KEYS } from "../support/kpi";
import { oracleKpis, type OracleReport } from "./oracle";
import { DAY } from "./support";

/*
 * The engine against the independent oracle (tests/kpi/oracle.ts) on 60 days of the demo
 * simulator (seed 42, about 21,000 events through the real ingestion): every headline
 * number, the details, the per-entity breakdown and a few series buckets must agree for a
 * 30-day range, a 1-day range and one entity.
 */

const TO = Date.parse("2026-11-25T00:00:00Z");
const FROM = TO - 60 * DAY;
const NOW = new Date(TO);
const THIRTY_DAYS = { from: new Date("2026-10-26T00:00:00Z"), to: new Date(TO) };
// The first of the month: invoices, postings, payments and reconciliation runs all happen then.
const ONE_DAY = { from: new Date("2026-11-01T00:00:00Z"), to: new Date("2026-11-02T00:00:00Z") };

const t = testDbForSuite();

beforeAll(async () => {
  // simulateEvents({ seed, from, to, since }) is this, minus the delivery times kept here.
  const delivered = new Simulation({ seed: 42, since: FROM }).eventsBetween(FROM, TO);
  for (let i = 0; i < delivered.length; i += 1000) {
    const batch = delivered.slice(i, i + 1000);
    const result = await ingestItems(
      t.db,
      batch.map((d) => d.event),
      { apiKeyId: null, channel: "api" },
    );
    expect(result.rejected).toEqual([]);
    // received_at is the database's now(); give each event the simulator's delivery time
    // instead, so event lag has realistic values inside the ranges compared.
    const arrivals = batch.map((d) => ({
      source: d.event.source,
      id: d.event.id,
      at: new Date(d.deliverAt).toISOString(),
    }));
    await t.db.execute(sql`
      update events e set received_at = a.at
      from jsonb_to_recordset(${JSON.stringify(arrivals)}::jsonb) as a(source text, id text, at timestamptz)
      where e.source = a.source and e.event_id = a.id`);
  }
}, 300_000);

/**
 * Deep equality, except that durations (…Ms) may differ by the 1 ms of rounding and ratios
 * by floating-point noise; counts and amounts must be exact.
 */
function expectAgree(actual: unknown, expected: unknown, path: string): void {
  if (typeof expected === "number" && typeof actual === "number") {
    if (/Ms$/.test(path)) expect(Math.abs(actual - expected), path).toBeLessThanOrEqual(1);
    else if (Number.isInteger(expected)) expect(actual, path).toBe(expected);
    else expect(actual, path).toBeCloseTo(expected, 12);
    return;
  }
  if (expected !== null && typeof expected === "object") {
    expect(actual, path).toBeTypeOf("object");
    expect(actual, path).not.toBeNull();
    const a = actual as Record<string, unknown>;
    const e = expected as Record<string, unknown>;
    expect(Object.keys(a).sort(), path).toEqual(Object.keys(e).sort());
    for (const key of Object.keys(e)) expectAgree(a[key], e[key], `${path}.${key}`);
    return;
  }
  expect(actual, path).toEqual(expected);
}

const summaryOf = (r: KpiSummary | OracleReport) =>
  Object.fromEntries(KPI_SUMMARY_KEYS.map((k) => [k, r[k]]));

const headline = (r: KpiReport | OracleReport) => ({
  ...summaryOf(r),
  exceptions: r.exceptions,
  manualInterventions: r.manualInterventions,
  details: r.details,
});

async function both(range: { from: Date; to: Date }, entity: string | null = null) {
  const scope = { ...range, entity };
  const [engine, oracle] = await Promise.all([
    computeKpis(t.db, scope, { now: NOW, include: { series: false, byEntity: false } }),
    oracleKpis(t.db, { ...scope, now: NOW }),
  ]);
  return { engine, oracle };
}

// 21,000 events make each comparison take seconds, more on PGlite on a busy machine.
describe(
  "the KPI engine against the plain-SQL oracle on simulator data",
  { timeout: 180_000 },
  () => {
    it("agrees on every headline number over 30 days", async () => {
      const { engine, oracle } = await both(THIRTY_DAYS);
      expectAgree(headline(engine), headline(oracle), "30d");
      // Not a vacuous agreement: the simulator produced something for every KPI.
      expect(engine.usageCompleteness.expected).toBeGreaterThan(0);
      expect(engine.eventLag.count).toBeGreaterThan(0);
      expect(engine.invoiceLatency.count).toBeGreaterThan(0);
      expect(engine.erpPosting.postings).toBeGreaterThan(0);
      expect(
        engine.erpPosting.openFailures + engine.details.erpTopErrorCodes.length,
      ).toBeGreaterThan(0);
      expect(engine.reconciliation.breaks).toBeGreaterThan(0);
      expect(Object.keys(engine.reconciliation.absVarianceMinor).length).toBeGreaterThan(1);
      expect(engine.paymentToEntitlement.synced).toBeGreaterThan(0);
    });

    it("leaves the details out when asked to, and the headline as it was", async () => {
      const scope = { ...THIRTY_DAYS, entity: null };
      const include = { series: false, byEntity: false };
      const [full, lean] = await Promise.all([
        computeKpis(t.db, scope, { now: NOW, include }),
        computeKpis(t.db, scope, { now: NOW, include: { ...include, details: false } }),
      ]);
      expect(full.details.usageBySourceMeter.length).toBeGreaterThan(0);
      expect(lean.details).toEqual({
        usageBySourceMeter: [],
        erpTopErrorCodes: [],
        reconciliationByKind: {},
      });
      expect(summaryOf(lean)).toEqual(summaryOf(full));
      expect(lean.exceptions).toEqual(full.exceptions);
    });

    it("agrees on every headline number over 1 day (the first of the month)", async () => {
      const { engine, oracle } = await both(ONE_DAY);
      expect(engine.range.bucket).toBe("hour");
      expectAgree(headline(engine), headline(oracle), "1d");
      expect(engine.invoiceLatency.count).toBeGreaterThan(0);
    });

    it("agrees for one entity", async () => {
      const { engine, oracle } = await both(THIRTY_DAYS, "ACME-EU");
      expectAgree(headline(engine), headline(oracle), "ACME-EU");
      expect(engine.invoiceLatency.count).toBeGreaterThan(0);
      expect(engine.paymentToEntitlement.count).toBeGreaterThan(0);
    });

    it("agrees with the per-entity breakdown, entity by entity", async () => {
      const engine = await computeKpis(
        t.db,
        { ...THIRTY_DAYS, entity: null },
        { now: NOW, include: { series: false } },
      );
      expect(engine.byEntity.map((r) => r.entity)).toEqual(["ACME-EU", "ACME-UK", "ACME-US"]);
      for (const row of engine.byEntity) {
        const oracle = await oracleKpis(t.db, { ...THIRTY_DAYS, entity: row.entity, now: NOW });
        expectAgree(summaryOf(row), summaryOf(oracle), row.entity);
      }
    });

    it("agrees with series buckets, each a range of its own", async () => {
      const seriesOnly = { now: NOW, include: { byEntity: false } };
      const month = await computeKpis(t.db, { ...THIRTY_DAYS, entity: null }, seriesOnly);
      const day = await computeKpis(t.db, { ...ONE_DAY, entity: null }, seriesOnly);
      const samples = [
        { report: month, label: "2026-11-01T00:00:00Z", length: DAY },
        { report: month, label: "2026-11-10T00:00:00Z", length: DAY },
        { report: day, label: "2026-11-01T06:00:00Z", length: DAY / 24 },
      ];
      for (const { report, label, length } of samples) {
        const bucket = report.series.find((s) => s.bucket === label);
        expect(bucket, label).toBeDefined();
        const from = new Date(label);
        const oracle = await oracleKpis(t.db, {
          from,
          to: new Date(from.getTime() + length),
          entity: null,
          now: NOW,
        });
        expectAgree(summaryOf(bucket!), summaryOf(oracle), label);
      }
    });
  },
);
