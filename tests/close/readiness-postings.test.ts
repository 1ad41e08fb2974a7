import { describe, expect, it } from "vitest";
import { testDbForSuite } from "../support/db";
import {
  NOV,
  OCT,
  SEP,
  check,
  failedFirstPosting,
  ingest,
  invoice,
  posting,
  readinessOn,
  reconciliation,
  uniqueEntity,
  upsertException,
} from "./support";

/*
 * Close readiness checks (b), every invoice of the period posted to the ERP, and (c), no
 * reconciliation break above materiality, on hand-made telemetry for October 2026.
 */

const t = testDbForSuite();
const { readiness, materiality } = readinessOn(t);

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
