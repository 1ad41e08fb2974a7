import { beforeAll, describe, expect, it } from "vitest";
import {
  computeClosePortfolio,
  portfolioPeriods,
  type ClosePortfolio,
} from "@/lib/close/portfolio";
import { closePeriod } from "@/lib/close/periods";
import { computeCloseReadiness } from "@/lib/close/readiness";
import { testDbForSuite } from "../support/db";
import {
  NOV,
  OCT,
  PERIOD,
  SEP,
  amendment,
  checkpoint,
  completeUsage,
  ingest,
  invoice,
  makeUser,
  reconciliation,
  uniqueEntity,
  upsertException,
} from "./support";

/*
 * The close portfolio over May–October 2026 for three hand-made entities: every cell must say
 * what the entity-month checklist says (verdict, failing checks, blocker count), and a few cells
 * are checked against counts worked out by hand.
 */

const t = testDbForSuite();
let portfolio: ClosePortfolio;
const go = uniqueEntity("pf-go");
const broken = uniqueEntity("pf-broken");
const waiting = uniqueEntity("pf-waiting");
const periods = portfolioPeriods(PERIOD);
const TARGET = 0.995;

beforeAll(async () => {
  await ingest(
    t.db,
    // go: complete usage in September and October, nothing else; October is marked closed.
    completeUsage(go),
    checkpoint(go, { windowStart: SEP(10), windowEnd: SEP(10, 1), expected: 10, received: 10 }),
    // broken, October: api_calls 3 short windows from urn:a, storage 1 from urn:b: two pairs
    // below target and four short windows, so 2 + 4 = 6 usage blockers; one unposted invoice.
    ...[1, 2, 3].map((h) =>
      checkpoint(broken, {
        source: "urn:a",
        windowStart: OCT(4, h - 1),
        windowEnd: OCT(4, h),
        expected: 100,
        received: 90,
      }),
    ),
    checkpoint(broken, {
      source: "urn:b",
      meter: "storage",
      windowStart: OCT(5),
      windowEnd: OCT(5, 1),
      expected: 100,
      received: 50,
    }),
    invoice(broken, { invoiceId: `${broken}-unposted`, issuedAt: OCT(3) }),
    // broken, September: complete usage, one material reconciliation break (no materiality set).
    checkpoint(broken, { windowStart: SEP(2), windowEnd: SEP(2, 1), expected: 10, received: 10 }),
    reconciliation(broken, {
      runId: `rec-${broken}-2026-09`,
      key: "cus_9",
      expected: 100_000,
      actual: 90_000,
      periodStart: SEP(1),
      periodEnd: OCT(1),
    }),
    // waiting: complete usage in October, an amendment made in November effective in October.
    completeUsage(waiting),
    amendment(waiting, { contractId: `${waiting}-c1`, effectiveFrom: OCT(10), amendedAt: NOV(3) }),
  );
  // waiting also has an exception awaiting approval: it blocks every month of the entity.
  await upsertException(t.db, {
    type: "reconciliation_break",
    status: "awaiting_approval",
    entity: waiting,
  });
  const finance = await makeUser(t.db, "finance");
  await closePeriod(
    t.db,
    { entity: go, period: PERIOD.key },
    { userId: finance.id, actor: { type: "user", id: finance.id, label: finance.email } },
  );
  portfolio = await computeClosePortfolio(t.db, {
    entities: [go, broken, waiting],
    periods,
    completenessTarget: TARGET,
  });
});
const cell = (entity: string, key: string) =>
  portfolio.rows.find((r) => r.entity === entity)!.cells.find((c) => c.periodKey === key)!;

describe("close portfolio", () => {
  it("covers every entity × the six months up to the period, newest first", () => {
    expect(portfolio.periods.map((p) => p.key)).toEqual([
      "2026-10",
      "2026-09",
      "2026-08",
      "2026-07",
      "2026-06",
      "2026-05",
    ]);
    expect(portfolio.periods[0]!.label).toBe("October 2026");
    expect(portfolio.rows.map((r) => r.entity)).toEqual([go, broken, waiting]);
    for (const row of portfolio.rows) {
      expect(row.cells.map((c) => c.periodKey)).toEqual(portfolio.periods.map((p) => p.key));
    }
  });

  it("gives every cell the verdict, failing checks and blocker count of its checklist", async () => {
    for (const row of portfolio.rows) {
      for (const c of row.cells) {
        const full = await computeCloseReadiness(t.db, {
          entity: row.entity,
          period: periods.find((p) => p.key === c.periodKey)!,
          completenessTarget: TARGET,
        });
        const failing = full.checks.filter((check) => !check.passed);
        expect({ entity: row.entity, period: c.periodKey, verdict: c.verdict }).toEqual({
          entity: row.entity,
          period: c.periodKey,
          verdict: full.verdict,
        });
        expect(c.failing.map((f) => [f.key, f.blockerCount])).toEqual(
          failing.map((f) => [f.key, f.blockerCount]),
        );
        expect(c.blockerCount).toBe(failing.reduce((sum, f) => sum + f.blockerCount, 0));
        expect(c.closedAt).toBe(full.closed?.closedAt ?? null);
      }
    }
  });

  it("matches the counts worked out by hand", () => {
    expect(cell(go, "2026-10")).toMatchObject({ verdict: "go", blockerCount: 0, failing: [] });
    expect(cell(go, "2026-10").closedAt).not.toBeNull();
    expect(cell(go, "2026-09")).toMatchObject({ verdict: "go", blockerCount: 0 });

    // Six usage blockers are counted even though the portfolio lists one per check.
    expect(cell(broken, "2026-10")).toMatchObject({
      verdict: "no_go",
      blockerCount: 7,
      failing: [
        { key: "usage_complete", short: "Usage incomplete", blockerCount: 6 },
        { key: "invoices_posted", short: "Invoices not posted", blockerCount: 1 },
      ],
    });
    expect(cell(broken, "2026-09")).toMatchObject({
      verdict: "no_go",
      blockerCount: 1,
      failing: [{ key: "no_material_reconciliation_breaks", blockerCount: 1 }],
    });

    expect(cell(waiting, "2026-10").failing.map((f) => [f.key, f.blockerCount])).toEqual([
      ["no_pending_approvals", 1],
      ["no_unresolved_retroactive_amendments", 1],
    ]);
    // A month without any usage telemetry says so, and the approval still blocks it: a real
    // blocker, so the month is not shown as merely having no data.
    expect(cell(waiting, "2026-06")).toMatchObject({
      verdict: "no_go",
      noData: false,
      blockerCount: 2,
      failing: [
        { key: "usage_complete", short: "No usage data", blockerCount: 1 },
        { key: "no_pending_approvals", blockerCount: 1 },
      ],
    });
  });

  it("shows a month with no telemetry and nothing else wrong as no data, not as a failure", () => {
    const untracked = portfolio.rows
      .flatMap((r) => r.cells)
      .filter((c) => c.failing.length === 1 && c.failing[0]!.short === "No usage data");
    expect(untracked.length).toBeGreaterThan(0);
    for (const c of untracked) expect(c).toMatchObject({ verdict: "no_go", noData: true });
    const others = portfolio.rows.flatMap((r) => r.cells).filter((c) => !untracked.includes(c));
    for (const c of others) expect(c.noData).toBe(false);
  });

  it("links each cell to its entity-month checklist", () => {
    expect(cell(broken, "2026-09").href).toBe(
      `/close?entity=${encodeURIComponent(broken)}&period=2026-09`,
    );
  });
});
