import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { validateCloudEvent, type EVENT_TYPES, type EventType } from "@/lib/contract";
import { Simulation, simulateEvents, type CloudEvent } from "@/lib/simulator";
import { mulberry32 } from "@/lib/simulator/prng";

/*
 * The demo simulator's promises: reproducible from its seed, valid against the ingestion
 * contract, and realistic enough to show what Closeline is for (several currencies, failed
 * ERP postings, reconciliation breaks, a retroactive amendment).
 */

const DAY = 86_400_000;
const TO = Date.parse("2026-11-25T15:30:00Z");
const FROM = TO - 60 * DAY;

const backfill = simulateEvents({ seed: 42, since: FROM, from: FROM, to: TO });
/** The data of the backfill's events of `type`, typed as the contract takes it in. */
const ofType = <T extends EventType>(type: T) =>
  backfill
    .filter((e) => e.type === type)
    .map((e) => e.data as z.input<(typeof EVENT_TYPES)[T]["data"]>);

/** Each posting's status after its last attempt, the attempts taken in the order given. */
function latestStatusByPosting(attempts: { postingId: string; status: string }[]) {
  const last = new Map<string, string>();
  for (const a of attempts) last.set(a.postingId, a.status);
  return last;
}

describe("the demo simulator", () => {
  it("plays the same events for the same seed, and different ones for another seed", () => {
    const again = simulateEvents({ seed: 42, since: FROM, from: FROM, to: TO });
    expect(again).toEqual(backfill);
    const other = simulateEvents({ seed: 7, since: FROM, from: FROM, to: TO });
    expect(other.map((e) => e.id)).not.toEqual(backfill.map((e) => e.id));
  });

  it("gives the same history however the time range is split (backfill, then live ticks)", () => {
    const simulation = new Simulation({ seed: 42, since: FROM });
    const pieces: CloudEvent[] = [];
    const cuts = [FROM, FROM + 13.7 * DAY, FROM + 35 * DAY, TO - 30 * 60_000];
    for (let t = cuts.at(-1)!; t < TO; t += 5_000) cuts.push(t);
    cuts.push(TO);
    for (let i = 0; i + 1 < cuts.length; i++) {
      pieces.push(...simulation.eventsBetween(cuts[i]!, cuts[i + 1]!).map((e) => e.event));
    }
    expect(pieces).toEqual(backfill);
  });

  it("produces only events the ingestion contract accepts, each with a unique identity", () => {
    const problems = backfill
      .map((event) => ({ event, result: validateCloudEvent(JSON.parse(JSON.stringify(event))) }))
      .filter(({ result }) => !result.ok)
      .slice(0, 3);
    expect(problems).toEqual([]);
    expect(new Set(backfill.map((e) => `${e.source}\u0000${e.id}`)).size).toBe(backfill.length);
  });

  it("covers all nine event types from several sources at a volume a demo can load", () => {
    expect(new Set(backfill.map((e) => e.type)).size).toBe(9);
    expect(new Set(backfill.map((e) => e.source)).size).toBeGreaterThanOrEqual(6);
    expect(backfill.length).toBeGreaterThan(15_000);
    expect(backfill.length).toBeLessThan(40_000);
  });

  it("publishes one rate into USD a day for each entity currency but USD", () => {
    const rates = ofType("fx.rate");
    const days = new Set(rates.map((r) => r.effectiveDate));
    expect(days.size).toBeGreaterThanOrEqual(59);
    expect(new Set(rates.map((r) => r.currency))).toEqual(new Set(["EUR", "GBP"]));
    expect(rates.every((r) => r.reportingCurrency === "USD")).toBe(true);
    expect(rates).toHaveLength(days.size * 2);
  });

  it("bills a few hundred customers through at least two entities in different currencies", () => {
    const invoices = ofType("invoice.issued");
    expect(new Set(invoices.map((i) => i.currency)).size).toBeGreaterThanOrEqual(2);
    expect(new Set(invoices.map((i) => i.entity)).size).toBeGreaterThanOrEqual(2);
    expect(new Set(invoices.map((i) => i.customerId)).size).toBeGreaterThanOrEqual(200);
    for (const invoice of invoices) expect(Number.isInteger(invoice.amountMinor)).toBe(true);
  });

  it("reports hourly usage mostly complete, with some short windows later superseded", () => {
    const checkpoints = ofType("usage.checkpoint");
    const complete = checkpoints.filter((c) => c.receivedCount >= c.expectedCount * 0.997);
    expect(complete.length / checkpoints.length).toBeGreaterThan(0.95);
    expect(checkpoints.some((c) => c.receivedCount < c.expectedCount * 0.97)).toBe(true);
    expect(checkpoints.filter((c) => c.supersedes).length).toBeGreaterThan(0);
  });

  it("delivers events with a realistic lag: seconds usually, hours now and then, never weeks", () => {
    const delivered = new Simulation({ seed: 42, since: FROM }).eventsBetween(FROM, TO);
    const lags = delivered.map((e) => e.deliverAt - Date.parse(e.event.time)).sort((a, b) => a - b);
    const quantile = (q: number) => lags[Math.floor(q * (lags.length - 1))]!;
    expect(lags[0]).toBeGreaterThanOrEqual(0);
    expect(quantile(0.5)).toBeLessThan(5 * 60_000);
    expect(quantile(0.95)).toBeLessThan(60 * 60_000);
    // Incidents and the next morning's bank file: some events do come hours late.
    expect(lags.filter((l) => l > 3 * 3_600_000).length).toBeGreaterThan(50);
    expect(quantile(1)).toBeLessThan(4 * DAY);
  });

  it("counts every usage record in most windows, so a shortfall stands out", () => {
    // The checkpoint that stands for a window: the last one sent for it (a replay supersedes).
    const final = new Map<string, { expectedCount: number; receivedCount: number }>();
    for (const c of ofType("usage.checkpoint")) {
      final.set(`${c.entity}/${c.meter}/${c.windowStart}`, c);
    }
    const windows = [...final.values()];
    const short = windows.filter((c) => c.receivedCount < c.expectedCount);
    expect(short.length).toBeGreaterThan(0);
    expect(short.length / windows.length).toBeLessThan(0.02);
  });

  it("has ERP postings that fail, most recovering on retry and some staying failed", () => {
    const attempts = ofType("erp.posting.attempted");
    const failed = attempts.filter((a) => a.status === "failed");
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((a) => a.errorCode)).toBe(true);
    // Outside an ERP outage (next test), a few in a hundred first attempts fail.
    const firstAttempts = attempts.filter(
      (a) => a.attempt === 1 && a.errorCode !== "ERP_UNAVAILABLE",
    );
    const firstFailureRate =
      firstAttempts.filter((a) => a.status === "failed").length / firstAttempts.length;
    expect(firstFailureRate).toBeGreaterThan(0.01);
    expect(firstFailureRate).toBeLessThan(0.1);
    const last = latestStatusByPosting(attempts);
    const failedPostings = new Set(failed.map((a) => a.postingId));
    const recovered = [...failedPostings].filter((id) => last.get(id) === "succeeded");
    const stayedFailed = [...failedPostings].filter((id) => last.get(id) === "failed");
    expect(recovered.length).toBeGreaterThan(stayedFailed.length);
    expect(stayedFailed.length).toBeGreaterThan(0);
  });

  it("has an ERP outage during a billing run, every posting it hit recovering once it ends", () => {
    const attempts = ofType("erp.posting.attempted");
    const hit = new Set(
      attempts.filter((a) => a.errorCode === "ERP_UNAVAILABLE").map((a) => a.postingId),
    );
    expect(hit.size).toBeGreaterThan(10);
    const last = latestStatusByPosting(attempts);
    const recovered = [...hit].filter((id) => last.get(id) === "succeeded");
    expect(recovered.length / hit.size).toBeGreaterThan(0.9);
  });

  it("runs the three kinds of reconciliation with a few breaks", () => {
    const results = ofType("reconciliation.result");
    expect(new Set(results.map((r) => r.kind))).toEqual(
      new Set(["usage_vs_billing", "billing_vs_erp", "payments_vs_ar"]),
    );
    // A result without a tolerance has the contract's default, 0.
    const breaks = results.filter(
      (r) => Math.abs(r.actualMinor - r.expectedMinor) > (r.toleranceMinor ?? 0),
    );
    expect(breaks.length).toBeGreaterThan(0);
    expect(breaks.length / results.length).toBeLessThan(0.05);
  });

  it("includes a retroactive contract amendment and invoice disputes", () => {
    const amendments = ofType("contract.amended");
    const monthStart = (iso: string) => iso.slice(0, 7);
    expect(amendments.some((a) => monthStart(a.effectiveFrom) < monthStart(a.amendedAt))).toBe(
      true,
    );
    expect(ofType("invoice.disputed").length).toBeGreaterThan(0);
  });

  it("follows payments with entitlement updates, and restricts some overdue customers", () => {
    const payments = ofType("payment.received");
    const entitlements = ofType("entitlement.updated");
    const confirmed = new Set(entitlements.map((e) => e.paymentId).filter(Boolean));
    const share = payments.filter((p) => confirmed.has(p.paymentId)).length / payments.length;
    expect(share).toBeGreaterThan(0.9);
    expect(share).toBeLessThan(1.001);
    expect(entitlements.some((e) => e.status === "restricted")).toBe(true);
  });
});

describe("mulberry32", () => {
  it("is a pure function of its seed", () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const first = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(first);
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});
