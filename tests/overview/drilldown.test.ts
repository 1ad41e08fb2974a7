import { beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { exceptions } from "@/db/schema";
import { writeAudit } from "@/lib/audit";
import {
  countInterventions,
  countOpenExceptions,
  listInterventions,
  listOpenExceptions,
} from "@/db/queries/drilldown-work";
import {
  countLaggedEvents,
  listCheckpoints,
  listLaggedEvents,
  summarizeCheckpoints,
} from "@/db/queries/drilldown-usage";
import * as billing from "@/db/queries/drilldown-billing";
import type { DrilldownCursor, DrilldownPage } from "@/db/queries/drilldown";
import type { PageRequest } from "@/db/queries/keyset-list";
import { findRawEvent } from "@/db/queries/raw-event";
import type { KpiScope } from "@/db/queries/kpis";
import { InvalidInput } from "@/lib/errors";
import { ingestItems } from "@/lib/ingest/ingest";
import {
  ENTITLEMENT_OVERDUE_AFTER_MS,
  MANUAL_INTERVENTION_ACTION_PREFIXES,
} from "@/lib/kpi/definitions";
import { computeKpis, type KpiReport } from "@/lib/kpi/engine";
import { simulateEvents } from "@/lib/simulator";
import { testDbForSuite } from "../support/db";
import { DAY, HOUR, MINUTE, ingest, invoice, setReceivedAt } from "../kpi/support";

/*
 * The drill-down pages list the records behind each overview number. Paging through a
 * drill-down to its end must count the KPI's number again: same rows, none twice, none
 * missed. Checked on the demo simulator's data (several entities, currencies, failed
 * postings, breaks and late entitlements), paging in small pages to exercise the keyset.
 */

const TO = new Date("2026-05-01T00:00:00Z");
const FROM = new Date(TO.getTime() - 60 * DAY);
/** After the range: payments are judged overdue as of now, as the overview does. */
const NOW = new Date(TO.getTime() + 2 * DAY);
const PAGE = 7;

const handle = testDbForSuite();
let db: Db;
let entities: string[];

/**
 * Follows the cursors of `list` to the end, asserting that no page holds more than
 * `params.limit` rows and that no row is listed twice.
 */
async function everyRow<P extends PageRequest, T>(
  list: (db: Db, params: P) => Promise<DrilldownPage<T>>,
  params: P,
  id: (row: T) => string,
): Promise<T[]> {
  const rows: T[] = [];
  let cursor: DrilldownCursor | null = null;
  for (let pages = 0; pages < 1000; pages++) {
    const page: DrilldownPage<T> = await list(db, { ...params, cursor });
    expect(page.rows.length).toBeLessThanOrEqual(params.limit);
    rows.push(...page.rows);
    if (!page.next) break;
    cursor = page.next;
  }
  expect(new Set(rows.map(id)).size).toBe(rows.length);
  return rows;
}

/** An invoice of `entity` for the period ending `periodEnd`, issued at `issuedAt`. */
const issued = (invoiceId: string, entity: string, periodEnd: string, issuedAt: string) =>
  invoice({ invoiceId, entity, periodEnd, issuedAt });

beforeAll(async () => {
  db = handle.db;
  const since = FROM.getTime() - 15 * DAY;
  const events = simulateEvents({ seed: 7, customers: 30, since, from: since, to: TO.getTime() });
  // Every usage checkpoint would be 20 000 rows; one in twenty keeps the test quick and the sums real.
  const kept = events.filter((e, i) => e.type !== "usage.checkpoint" || i % 20 === 0);
  for (let i = 0; i < kept.length; i += 500) {
    const result = await ingestItems(db, kept.slice(i, i + 500), {
      apiKeyId: null,
      channel: "api",
    });
    expect(result.rejected).toEqual([]);
  }
  entities = [
    ...new Set(
      kept.map((e) => (e.data as { entity?: string }).entity).filter((x): x is string => !!x),
    ),
  ].sort();
}, 120_000);

describe.each([
  { name: "all entities", entity: () => null },
  { name: "one entity", entity: () => entities[1]! },
])("drill-downs agree with the KPIs ($name)", ({ entity }) => {
  let scope: KpiScope;
  let report: KpiReport;
  beforeAll(async () => {
    scope = { from: FROM, to: TO, entity: entity() };
    report = await computeKpis(db, scope, {
      now: NOW,
      include: { series: false, byEntity: false },
    });
  });

  it("has problems to drill into: incomplete usage, failed postings, breaks, overdue payments", () => {
    if (scope.entity) return;
    expect(report.usageCompleteness.missing).toBeGreaterThan(0);
    expect(report.erpPosting.firstPassSuccessRate).toBeLessThan(1);
    expect(report.reconciliation.breaks).toBeGreaterThan(0);
    expect(Object.keys(report.reconciliation.absVarianceMinor).length).toBeGreaterThan(1);
    expect(report.paymentToEntitlement.overdue).toBeGreaterThan(0);
  });

  it("usage completeness: the checkpoints sum to the KPI's expected and received counts", async () => {
    expect(report.usageCompleteness.expected).toBeGreaterThan(0);
    const rows = await everyRow(listCheckpoints, { scope, limit: PAGE * 20 }, (r) => r.event_seq);
    const sum = (f: (r: (typeof rows)[number]) => number) => rows.reduce((n, r) => n + f(r), 0);
    expect(sum((r) => r.expected)).toBe(report.usageCompleteness.expected);
    expect(sum((r) => r.received)).toBe(report.usageCompleteness.received);
    expect(sum((r) => r.missing)).toBe(report.usageCompleteness.missing);
    expect(await summarizeCheckpoints(db, scope)).toMatchObject({
      checkpoints: rows.length,
      expected: String(report.usageCompleteness.expected),
      received: String(report.usageCompleteness.received),
    });
    const incomplete = await everyRow(
      listCheckpoints,
      { scope, view: "incomplete", limit: PAGE * 20 },
      (r) => r.event_seq,
    );
    expect(incomplete.length).toBe(rows.filter((r) => r.received < r.expected).length);
    if (scope.entity) expect(rows.every((r) => r.entity === scope.entity)).toBe(true);
  });

  it("invoice latency: one row per invoice issued in the range, slowest first", async () => {
    expect(report.invoiceLatency.count).toBeGreaterThan(0);
    const rows = await everyRow(
      billing.listLatencyInvoices,
      { scope, limit: PAGE },
      (r) => r.invoice_id,
    );
    expect(rows.length).toBe(report.invoiceLatency.count);
    expect(await billing.countLatencyInvoices(db, scope)).toBe(report.invoiceLatency.count);
    const latencies = rows.map((r) => r.latency_ms);
    expect(latencies).toEqual([...latencies].sort((a, b) => b - a));
    // The slowest invoice bounds the p95 from above.
    expect(latencies[0]).toBeGreaterThanOrEqual(report.invoiceLatency.p95Ms! - 1);
    for (const r of rows)
      expect(r.latency_ms).toBe(new Date(r.issued_at).getTime() - new Date(r.period_end).getTime());
  });

  it("ERP postings: all postings, those that failed attempt 1, and the open failures", async () => {
    const p = report.erpPosting;
    expect(p.postings).toBeGreaterThan(0);
    const all = await everyRow(billing.listPostings, { scope, limit: PAGE }, (r) => r.posting_id);
    expect(all.length).toBe(p.postings);
    const firstPass = all.filter((r) => r.first_pass).length;
    expect(firstPass / all.length).toBeCloseTo(p.firstPassSuccessRate!, 12);
    expect(all.filter((r) => r.eventually).length / all.length).toBeCloseTo(
      p.eventualSuccessRate!,
      12,
    );
    const failed = await everyRow(
      billing.listPostings,
      { scope, view: "first-pass-failed", limit: PAGE },
      (r) => r.posting_id,
    );
    expect(failed.length).toBe(p.postings - firstPass);
    const open = await everyRow(
      billing.listPostings,
      { scope, view: "open-failures", limit: PAGE },
      (r) => r.posting_id,
    );
    expect(open.length).toBe(p.openFailures);
    expect(open.every((r) => r.latest_status === "failed")).toBe(true);
    expect(await billing.summarizePostings(db, scope)).toEqual({
      postings: p.postings,
      firstPassFailed: failed.length,
      openFailures: p.openFailures,
    });
    for (const r of all) {
      expect(r.attempt_list).toHaveLength(r.attempts);
      // First pass means attempt 1 itself succeeded (a posting reported from attempt 2 did not).
      expect(r.attempt_list.some((a) => a.attempt === 1 && a.status === "succeeded")).toBe(
        r.first_pass,
      );
    }
  });

  it("reconciliation: the results, the breaks, and the absolute variance per currency", async () => {
    const rec = report.reconciliation;
    expect(rec.results).toBeGreaterThan(0);
    const all = await everyRow(
      billing.listReconciliationResults,
      { scope, limit: PAGE },
      (r) => r.event_seq,
    );
    expect(all.length).toBe(rec.results);
    const breaks = await everyRow(
      billing.listReconciliationResults,
      { scope, view: "breaks", limit: PAGE },
      (r) => r.event_seq,
    );
    expect(breaks.length).toBe(rec.breaks);
    expect(breaks.every((r) => r.is_break)).toBe(true);
    const variance: Record<string, number> = {};
    for (const r of all)
      variance[r.currency] = (variance[r.currency] ?? 0) + Math.abs(Number(r.variance_minor));
    expect(variance).toEqual(rec.absVarianceMinor);
    const summary = await billing.summarizeReconciliation(db, scope);
    expect(summary.results).toBe(rec.results);
    expect(summary.breaks).toBe(rec.breaks);
    expect(
      Object.fromEntries(Object.entries(summary.absVarianceMinor).map(([c, v]) => [c, Number(v)])),
    ).toEqual(rec.absVarianceMinor);
  });

  it("payment-to-entitlement: the payments, how many synced, and the overdue ones", async () => {
    const sync = report.paymentToEntitlement;
    expect(sync.count).toBeGreaterThan(0);
    const params = { scope, overdueAfterMs: ENTITLEMENT_OVERDUE_AFTER_MS, now: NOW, limit: PAGE };
    const all = await everyRow(billing.listSyncPayments, params, (r) => r.payment_id);
    expect(all.length).toBe(sync.count);
    expect(all.filter((r) => r.first_update_at !== null).length).toBe(sync.synced);
    const overdue = await everyRow(
      billing.listSyncPayments,
      { ...params, view: "overdue" },
      (r) => r.payment_id,
    );
    expect(overdue.length).toBe(sync.overdue);
    expect(
      await billing.summarizeSyncPayments(db, scope, ENTITLEMENT_OVERDUE_AFTER_MS, NOW),
    ).toEqual({
      payments: sync.count,
      synced: sync.synced,
      overdue: sync.overdue,
    });
    // Never-synced payments come first (the slowest possible), then the slowest synced.
    const firstSynced = all.findIndex((r) => r.sync_ms !== null);
    expect(all.slice(firstSynced).every((r) => r.sync_ms !== null)).toBe(true);
  });
});

describe("drill-down details", () => {
  it("lists invoices slowest first with their latency, and only the entity asked for", async () => {
    const day = "2025-03-10";
    await ingest(db, [
      issued("DD-1", "dd-a", `${day}T00:00:00Z`, `${day}T02:00:00Z`),
      issued("DD-2", "dd-a", `${day}T00:00:00Z`, `${day}T05:00:00Z`),
      issued("DD-3", "dd-b", `${day}T00:00:00Z`, `${day}T09:00:00Z`),
    ]);
    const scope = {
      from: new Date(`${day}T00:00:00Z`),
      to: new Date(`${day}T12:00:00Z`),
      entity: "dd-a",
    };
    const page = await billing.listLatencyInvoices(db, { scope, limit: 1 });
    expect(page.rows.map((r) => [r.invoice_id, r.latency_ms, r.amount_minor, r.currency])).toEqual([
      ["DD-2", 5 * HOUR, "10000", "EUR"],
    ]);
    const next = await billing.listLatencyInvoices(db, { scope, cursor: page.next, limit: 1 });
    expect(next.rows.map((r) => r.invoice_id)).toEqual(["DD-1"]);
    expect(next.next).toBeNull();

    // Each row links to the raw event it came from.
    const raw = await findRawEvent(db, Number(page.rows[0]!.event_seq));
    expect(raw).toMatchObject({ type: "invoice.issued" });
    expect(JSON.parse(raw!.data)).toMatchObject({ invoiceId: "DD-2", entity: "dd-a" });
    expect(await findRawEvent(db, 999_999_999)).toBeNull();
  });

  it("lists the events behind the lag, slowest first", async () => {
    const events = [
      issued("LAG-1", "lag", "2025-04-01T00:00:00Z", "2025-04-01T01:00:00Z"),
      issued("LAG-2", "lag", "2025-04-01T00:00:00Z", "2025-04-01T02:00:00Z"),
    ];
    await ingest(db, events);
    await setReceivedAt(db, events[0]!, "2025-04-01T01:30:00Z");
    await setReceivedAt(db, events[1]!, "2025-04-01T02:05:00Z");
    const scope = {
      from: new Date("2025-04-01T00:00:00Z"),
      to: new Date("2025-04-02T00:00:00Z"),
      entity: "lag",
    };
    const page = await listLaggedEvents(db, { scope, limit: 10 });
    expect(page.rows.map((r) => [r.event_id, r.lag_ms])).toEqual([
      [events[0]!.id, 30 * MINUTE],
      [events[1]!.id, 5 * MINUTE],
    ]);
    const report = await computeKpis(db, scope, { include: { series: false, byEntity: false } });
    expect(await countLaggedEvents(db, scope)).toBe(report.eventLag.count);
  });

  it("lists the open exceptions and the manual interventions the KPIs count, per entity too", async () => {
    const now = new Date();
    const [a, , c] = await db
      .insert(exceptions)
      .values(
        (["DD-EU", "DD-EU", "DD-US"] as const).map((entity, i) => ({
          type: "erp_posting_failed" as const,
          problemKey: `dd-${i}-${now.getTime()}`,
          title: `drill ${i}`,
          entity,
          openedAt: new Date(now.getTime() - (i + 1) * HOUR),
        })),
      )
      .returning({ id: exceptions.id });
    const actor = { type: "user" as const, id: null, label: "someone@example.com" };
    // The workflow's entries name the exception, not its entity: the entity comes from it.
    await writeAudit(db, {
      actor,
      action: "exception.started",
      target: { type: "exception", id: a!.id },
    });
    await writeAudit(db, {
      actor,
      action: "exception.resolved",
      target: { type: "exception", id: c!.id },
    });
    await writeAudit(db, { actor, action: "correction.proposed", after: { entity: "DD-EU" } });
    await writeAudit(db, { actor, action: "user.created", after: { entity: "DD-EU" } });

    for (const entity of [null, "DD-EU", "DD-US"]) {
      const scope = {
        from: new Date(now.getTime() - HOUR),
        to: new Date(now.getTime() + HOUR),
        entity,
      };
      const report = await computeKpis(db, scope, {
        now,
        include: { series: false, byEntity: false },
      });
      const open = await everyRow(listOpenExceptions, { scope, now, limit: 1 }, (r) => r.id);
      expect(open.length).toBe(report.exceptions.open);
      expect(await countOpenExceptions(db, scope)).toBe(report.exceptions.open);
      const actions = await everyRow(
        listInterventions,
        { scope, actionPrefixes: MANUAL_INTERVENTION_ACTION_PREFIXES, limit: 1 },
        (r) => r.id,
      );
      expect(actions.length).toBe(report.manualInterventions);
      expect(await countInterventions(db, scope, MANUAL_INTERVENTION_ACTION_PREFIXES)).toBe(
        report.manualInterventions,
      );
      expect(actions.some((r) => r.action === "user.created")).toBe(false);
    }
  });

  it("refuses a cursor that is no position in the list instead of sending it to the database", async () => {
    const scope = { from: FROM, to: TO, entity: null };
    await expect(
      billing.listLatencyInvoices(db, {
        scope,
        cursor: { k: "1; drop table events", id: "1" },
        limit: 5,
      }),
    ).rejects.toThrow(InvalidInput);
    await expect(
      billing.listPostings(db, { scope, cursor: { k: "yesterday", id: "x" }, limit: 5 }),
    ).rejects.toThrow(InvalidInput);
    // Looks like a timestamp, is not one: refused here rather than failing in PostgreSQL.
    await expect(
      listCheckpoints(db, { scope, cursor: { k: "2026-13-45 00:00:00+00", id: "1" }, limit: 5 }),
    ).rejects.toThrow(InvalidInput);
  });
});
