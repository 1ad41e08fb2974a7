import { describe, expect, it } from "vitest";
import {
  NOV,
  OCT,
  SEP,
  check,
  checkpoint,
  completeUsage,
  failedFirstPosting,
  ingest,
  invoice,
  posting,
  readinessSuite,
  reconciliation,
  uniqueEntity,
  upsertException,
} from "./support";

/*
 * Close readiness on hand-made telemetry for October 2026, with the numbers worked out by
 * hand in the comments: the verdict, and checks (a) usage complete for the period, (b) every
 * invoice issued in the period posted to the ERP, and (c) no reconciliation break above
 * materiality. Checks (d) to (f): readiness-approvals.test.ts.
 */

const { t, readiness, materiality } = readinessSuite();
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

const timedOutOnce = (entity: string) =>
  failedFirstPosting(
    entity,
    `${entity}-1`,
    { issuedAt: OCT(3), attemptedAt: OCT(3, 1) },
    "TIMEOUT",
  );

describe("(b) every invoice issued in the period posted to the ERP", () => {
  it("passes when each invoice has a succeeded attempt, even after failures", async () => {
    const entity = uniqueEntity("erp-ok");
    const id = `${entity}-1`;
    await ingest(
      t.db,
      ...timedOutOnce(entity),
      posting(entity, { invoiceId: id, attempt: 2, status: "succeeded", attemptedAt: OCT(3, 2) }),
    );
    const erp = check(await readiness(entity), "invoices_posted");
    expect(erp).toMatchObject({ passed: true, blockerCount: 0 });
    expect(erp.explanation).toContain("All 1 invoice");
  });

  it("names unposted invoices with their latest error, and never-sent ones", async () => {
    const entity = uniqueEntity("erp-bad");
    await ingest(
      t.db,
      ...failedFirstPosting(
        entity,
        `${entity}-failed`,
        { issuedAt: OCT(3), attemptedAt: OCT(3, 1) },
        "TIMEOUT",
      ),
      posting(entity, {
        invoiceId: `${entity}-failed`,
        attempt: 2,
        status: "failed",
        attemptedAt: OCT(3, 2),
        errorCode: "GL_PERIOD_CLOSED",
        errorMessage: "Accounting period 2026-10 is closed for posting",
      }),
      invoice(entity, { invoiceId: `${entity}-never`, issuedAt: OCT(31, 23) }),
      // Outside October: issued at the very start of November, and on the last day of September.
      invoice(entity, { invoiceId: `${entity}-nov`, issuedAt: NOV(1) }),
      invoice(entity, { invoiceId: `${entity}-sep`, issuedAt: SEP(30, 23) }),
    );
    const erp = check(await readiness(entity), "invoices_posted");
    expect(erp.passed).toBe(false);
    expect(erp.explanation).toBe(
      "2 of 2 invoices issued in the period have no successful ERP posting.",
    );
    expect(erp.blockers.map((b) => b.ref)).toEqual([`${entity}-failed`, `${entity}-never`]);
    expect(erp.blockers[0]!.detail).toContain("attempt 2");
    expect(erp.blockers[0]!.detail).toContain(
      "GL_PERIOD_CLOSED — Accounting period 2026-10 is closed for posting",
    );
    expect(erp.blockers[1]!.detail).toMatch(/Never sent/);
  });

  it("links a blocker to its erp_posting_failed exception when there is one", async () => {
    const entity = uniqueEntity("erp-link");
    const id = `${entity}-1`;
    await ingest(t.db, ...timedOutOnce(entity));
    // The detectors raise it during ingestion, keyed by the posting id.
    const raised = await upsertException(t.db, {
      type: "erp_posting_failed",
      problemKey: `PST-${id}`,
      status: "open",
      entity,
      invoiceId: id,
    });
    const [blocker] = check(await readiness(entity), "invoices_posted").blockers;
    expect(blocker!.link).toMatchObject({
      href: `/exceptions/${raised.id}`,
      permission: "exceptions:read",
    });
  });
});

describe("(c) no reconciliation break above materiality", () => {
  it("ignores breaks at or below materiality, per currency", async () => {
    const entity = uniqueEntity("rec");
    await materiality(entity, "USD", 10_000); // 100.00 USD; nothing set for EUR, so 0 there.
    await ingest(
      t.db,
      // Within tolerance: no break at all.
      reconciliation(entity, { key: "within", expected: 100_000, actual: 100_050, tolerance: 100 }),
      // A USD break of exactly 100.00: not above materiality.
      reconciliation(entity, { key: "usd-at", expected: 100_000, actual: 90_000, tolerance: 100 }),
      // The same 100.00 in EUR: above EUR's materiality of 0.
      reconciliation(entity, {
        key: "eur-small",
        currency: "EUR",
        expected: 100_000,
        actual: 90_000,
        tolerance: 100,
      }),
      // A USD break of 200.00: above.
      reconciliation(entity, {
        key: "usd-big",
        expected: 100_000,
        actual: 120_000,
        tolerance: 100,
      }),
      // September's run ends at the period start: not October's.
      reconciliation(entity, {
        key: "sep",
        runId: "rec-sep",
        expected: 0,
        actual: 9_999_999,
        periodStart: SEP(1),
        periodEnd: OCT(1),
      }),
    );
    const rec = check(await readiness(entity), "no_material_reconciliation_breaks");
    expect(rec.passed).toBe(false);
    expect(rec.blockers.map((b) => [b.ref.split(" / ")[1], b.amountMinor, b.currency])).toEqual([
      ["usd-big", 20_000, "USD"],
      ["eur-small", 10_000, "EUR"],
    ]);
    expect(rec.explanation).toBe(
      "2 breaks above materiality in 4 reconciliation results; 1 break at or below materiality.",
    );
    expect(rec.blockers[0]!.detail).toContain("materiality 100.00 USD");
  });

  it("passes once a later result for the same run and key is within tolerance", async () => {
    const entity = uniqueEntity("rec-fixed");
    await ingest(
      t.db,
      reconciliation(entity, { key: "k", expected: 100_000, actual: 50_000, time: NOV(2) }),
    );
    expect(check(await readiness(entity), "no_material_reconciliation_breaks").passed).toBe(false);
    await ingest(
      t.db,
      reconciliation(entity, { key: "k", expected: 100_000, actual: 100_000, time: NOV(3) }),
    );
    expect(check(await readiness(entity), "no_material_reconciliation_breaks").passed).toBe(true);
  });

  it("passes when materiality covers the break", async () => {
    const entity = uniqueEntity("rec-covered");
    await ingest(t.db, reconciliation(entity, { key: "k", expected: 100_000, actual: 99_000 }));
    expect(check(await readiness(entity), "no_material_reconciliation_breaks").passed).toBe(false);
    await materiality(entity, "USD", 1_000);
    const rec = check(await readiness(entity), "no_material_reconciliation_breaks");
    expect(rec.passed).toBe(true);
    expect(rec.explanation).toContain("1 break at or below materiality");
  });
});
