import { describe, expect, it } from "vitest";
import { testDbForSuite } from "../support/db";
import {
  NOV,
  OCT,
  SEP,
  check,
  checkpoint,
  completeUsage,
  ingest,
  invoice,
  posting,
  readinessOn,
  reconciliation,
  uniqueEntity,
} from "./support";

/*
 * Close readiness on hand-made telemetry for October 2026, with the numbers worked out by
 * hand in the comments: the verdict, and check (a), usage complete for the period. Checks
 * (b) and (c): readiness-postings.test.ts; (d) to (f): readiness-approvals.test.ts.
 */

const t = testDbForSuite();
const { readiness } = readinessOn(t);
/** The usage checkpoint of `entity` for the window [windowStart, windowEnd). */
const usageWindow = (
  entity: string,
  windowStart: string,
  windowEnd: string,
  counts: { expected: number; received: number; source?: string; meter?: string },
) => checkpoint(entity, { ...counts, windowStart, windowEnd });

describe("verdict", () => {
  it("is GO when every check passes", async () => {
    const entity = uniqueEntity("go");
    await ingest(
      t.db,
      completeUsage(entity),
      invoice(entity, { invoiceId: `${entity}-1`, issuedAt: OCT(3) }),
      posting(entity, { invoiceId: `${entity}-1`, status: "succeeded", attemptedAt: OCT(3, 1) }),
      reconciliation(entity, { key: "cus_1", expected: 100_000, actual: 100_000 }),
    );
    const report = await readiness(entity);
    expect(report.checks.map((c) => [c.key, c.passed])).toEqual([
      ["usage_complete", true],
      ["invoices_posted", true],
      ["no_material_reconciliation_breaks", true],
      ["no_material_open_disputes", true],
      ["no_pending_approvals", true],
      ["no_unresolved_retroactive_amendments", true],
    ]);
    expect(report.verdict).toBe("go");
    expect(report.period).toMatchObject({
      key: "2026-10",
      label: "October 2026",
      start: OCT(1),
      end: NOV(1),
    });
    expect(report.closed).toBeNull();
    for (const c of report.checks) expect(c.explanation).toMatch(/\S/);
  });

  it("is NO-GO when one check fails, and names its blockers", async () => {
    const entity = uniqueEntity("nogo");
    await ingest(
      t.db,
      completeUsage(entity),
      invoice(entity, { invoiceId: `${entity}-unposted`, issuedAt: OCT(3), amountMinor: 4_200 }),
    );
    const report = await readiness(entity);
    expect(report.verdict).toBe("no_go");
    expect(report.checks.filter((c) => !c.passed).map((c) => c.key)).toEqual(["invoices_posted"]);
    const failing = check(report, "invoices_posted");
    expect(failing.blockerCount).toBe(1);
    expect(failing.blockers[0]).toMatchObject({
      kind: "unposted_invoice",
      ref: `${entity}-unposted`,
      amountMinor: 4_200,
      currency: "USD",
    });
    expect(failing.blockers[0]!.label).toContain(`${entity}-unposted`);
    expect(failing.queue).toEqual({
      href: `/exceptions?type=erp_posting_failed&entity=${entity}`,
      label: "Open in the exception queue",
      permission: "exceptions:read",
    });
    expect(check(report, "usage_complete").queue).toBeNull();
  });
});

describe("(a) usage complete for the period", () => {
  it("passes at exactly the target: 1990 of 2000 is 99.5%", async () => {
    const entity = uniqueEntity("usage-ok");
    await ingest(
      t.db,
      usageWindow(entity, OCT(2), OCT(2, 1), { expected: 1000, received: 1000 }),
      usageWindow(entity, OCT(2, 1), OCT(2, 2), { expected: 1000, received: 990 }),
    );
    const usage = check(await readiness(entity), "usage_complete");
    expect(usage.passed).toBe(true);
    expect(usage.blockers).toEqual([]);
    expect(usage.explanation).toContain("99.50%");
  });

  it("sums counts past 2^53 exactly, in the verdict and in the words", async () => {
    const entity = uniqueEntity("usage-big");
    const max = Number.MAX_SAFE_INTEGER; // 9,007,199,254,740,991: the largest count a checkpoint takes
    await ingest(
      t.db,
      usageWindow(entity, OCT(3), OCT(3, 1), { expected: max, received: max }),
      usageWindow(entity, OCT(3, 1), OCT(3, 2), { expected: max, received: max - 1 }),
    );
    const usage = check(await readiness(entity), "usage_complete");
    expect(usage.passed).toBe(true);
    // 2 · (2^53 − 1) and one less: as doubles both would read 18,014,398,509,481,982.
    expect(usage.explanation).toContain("(18,014,398,509,481,981 of 18,014,398,509,481,982)");

    const half = uniqueEntity("usage-big-half");
    await ingest(
      t.db,
      checkpoint(half, { windowStart: OCT(3), windowEnd: OCT(3, 1), expected: max, received: 0 }),
      checkpoint(half, {
        windowStart: OCT(3, 1),
        windowEnd: OCT(3, 2),
        expected: max,
        received: max,
      }),
    );
    const failing = check(await readiness(half), "usage_complete");
    expect(failing.passed).toBe(false);
    expect(failing.explanation).toContain("50.00% of expected usage received");
    expect(failing.blockers[0]!.detail).toBe(
      "50.00% complete: 9,007,199,254,740,991 of 18,014,398,509,481,982 events missing",
    );
  });

  it("fails below the target and names the worst source/meter and windows", async () => {
    const entity = uniqueEntity("usage-bad");
    // api_calls from urn:a: 1000 + 989 of 2000 = 99.45% (11 missing); storage from urn:b: 500/500.
    // Total 2489 of 2500 = 99.56% ≥ 99.5% would pass, so storage is kept small: total below.
    await ingest(
      t.db,
      usageWindow(entity, OCT(2), OCT(2, 1), { source: "urn:a", expected: 1000, received: 1000 }),
      usageWindow(entity, OCT(2, 1), OCT(2, 2), { source: "urn:a", expected: 1000, received: 989 }),
      usageWindow(entity, OCT(2), OCT(3), {
        source: "urn:b",
        meter: "storage_gb",
        expected: 10,
        received: 10,
      }),
    );
    // 1999 of 2010 = 99.45%.
    const usage = check(await readiness(entity), "usage_complete");
    expect(usage.passed).toBe(false);
    expect(usage.explanation).toContain("99.45%");
    expect(usage.blockers.map((b) => [b.kind, b.ref])).toEqual([
      ["usage_source_meter", "urn:a / api_calls"],
      ["usage_window", `urn:a / api_calls / ${OCT(2, 1)}`],
    ]);
    expect(usage.blockers[0]!.detail).toContain("11 of 2,000 events missing");
  });

  it("takes the target as a parameter", async () => {
    const entity = uniqueEntity("usage-target");
    await ingest(t.db, usageWindow(entity, OCT(2), OCT(2, 1), { expected: 1000, received: 991 }));
    expect(check(await readiness(entity), "usage_complete").passed).toBe(false);
    expect(check(await readiness(entity, 0.99), "usage_complete").passed).toBe(true);
  });

  it("counts windows ending on 1 November and not those ending on 1 October", async () => {
    const entity = uniqueEntity("usage-edges");
    await ingest(
      t.db,
      completeUsage(entity),
      // September's last window: ends exactly at the period start, so it is not October's.
      usageWindow(entity, SEP(30, 23), OCT(1), { expected: 1000, received: 0 }),
    );
    expect(check(await readiness(entity), "usage_complete").passed).toBe(true);
    // October's last window ends exactly at the period end and is October's.
    await ingest(t.db, usageWindow(entity, OCT(31, 23), NOV(1), { expected: 1000, received: 0 }));
    const usage = check(await readiness(entity), "usage_complete");
    expect(usage.passed).toBe(false);
    expect(usage.explanation).toContain("1,000 of 2,000");
  });

  it("uses the current checkpoint of a window, not a superseded one", async () => {
    const entity = uniqueEntity("usage-super");
    const window = { windowStart: OCT(5), windowEnd: OCT(5, 1), expected: 1000 };
    await ingest(t.db, checkpoint(entity, { ...window, received: 500, time: OCT(5, 2) }));
    expect(check(await readiness(entity), "usage_complete").passed).toBe(false);
    await ingest(t.db, checkpoint(entity, { ...window, received: 1000, time: OCT(5, 3) }));
    expect(check(await readiness(entity), "usage_complete").passed).toBe(true);
  });

  it("fails when the period has no checkpoints at all: absence is not completeness", async () => {
    const usage = check(await readiness(uniqueEntity("usage-none")), "usage_complete");
    expect(usage.passed).toBe(false);
    expect(usage.blockerCount).toBe(1);
    expect(usage.explanation).toMatch(/cannot be confirmed/);
  });
});

/** `entity`'s invoice `<entity>-1`, issued on 3 October; its first ERP attempt, an hour later, timed out. */
