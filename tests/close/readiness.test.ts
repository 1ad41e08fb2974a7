import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { corrections } from "@/db/schema";
import type { CheckKey } from "@/lib/close/checks";
import { computeCloseReadiness, type CloseReadiness } from "@/lib/close/readiness";
import { setMateriality } from "@/lib/close/materiality";
import { SYSTEM_ACTOR } from "@/lib/audit";
import { testDbForSuite } from "../support/db";
import {
  NOV,
  OCT,
  PERIOD,
  SEP,
  amendment,
  checkpoint,
  completeUsage,
  dispute,
  failedFirstPosting,
  ingest,
  forgetInvoiceExceptions,
  invoice,
  makeUser,
  posting,
  reconciliation,
  uniqueEntity,
  upsertException,
} from "./support";

/*
 * Each check of close readiness on hand-made telemetry for October 2026, passing and failing,
 * with the numbers worked out by hand in the comments.
 */

const t = testDbForSuite();
const readiness = (entity: string, completenessTarget?: number) =>
  computeCloseReadiness(t.db, { entity, period: PERIOD, completenessTarget });
const check = (report: CloseReadiness, key: CheckKey) => report.checks.find((c) => c.key === key)!;
/** The usage checkpoint of `entity` for the window [windowStart, windowEnd). */
const usageWindow = (
  entity: string,
  windowStart: string,
  windowEnd: string,
  counts: { expected: number; received: number; source?: string; meter?: string },
) => checkpoint(entity, { ...counts, windowStart, windowEnd });
const materiality = (entity: string, currency: string, thresholdMinor: number) =>
  setMateriality(t.db, { entity, currency, thresholdMinor }, { userId: null, actor: SYSTEM_ACTOR });

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

describe("(d) no open dispute above materiality", () => {
  it("counts disputes from telemetry when no exception tracks them, with materiality per currency", async () => {
    const entity = uniqueEntity("disp");
    await materiality(entity, "USD", 10_000);
    await ingest(
      t.db,
      invoice(entity, { invoiceId: `${entity}-usd-small`, issuedAt: OCT(3), amountMinor: 100_000 }),
      invoice(entity, {
        invoiceId: `${entity}-eur-small`,
        issuedAt: OCT(3),
        currency: "EUR",
        amountMinor: 100_000,
      }),
      // Billing October, issued in November: still October's revenue.
      invoice(entity, {
        invoiceId: `${entity}-whole`,
        issuedAt: NOV(1, 6),
        periodStart: OCT(1),
        periodEnd: NOV(1),
        amountMinor: 30_000,
      }),
      // Issued in September for August: not October's.
      invoice(entity, {
        invoiceId: `${entity}-old`,
        issuedAt: SEP(2),
        periodStart: "2026-08-01T00:00:00Z",
        periodEnd: SEP(1),
      }),
      dispute({ invoiceId: `${entity}-usd-small`, amountMinor: 10_000 }),
      dispute({ invoiceId: `${entity}-eur-small`, amountMinor: 10_000 }),
      dispute({ invoiceId: `${entity}-whole` }),
      dispute({ invoiceId: `${entity}-old`, amountMinor: 50_000 }),
    );
    // As if the exception workflow had not seen the disputes yet: telemetry alone decides.
    for (const id of ["usd-small", "eur-small", "whole", "old"])
      await forgetInvoiceExceptions(t.db, `${entity}-${id}`);
    const d = check(await readiness(entity), "no_material_open_disputes");
    expect(d.passed).toBe(false);
    // The whole-invoice dispute counts the invoice's 300.00; the USD 100.00 is at materiality.
    expect(d.blockers.map((b) => [b.ref, b.amountMinor, b.currency])).toEqual([
      [`${entity}-whole`, 30_000, "USD"],
      [`${entity}-eur-small`, 10_000, "EUR"],
    ]);
    expect(d.explanation).toContain("1 open dispute at or below materiality");
    expect(d.blockers[0]!.link.href).toBe("#check-no_material_open_disputes");
  });

  it("gives the same answer from the exceptions the detectors raise", async () => {
    const entity = uniqueEntity("disp-raised");
    await materiality(entity, "USD", 10_000);
    await ingest(
      t.db,
      invoice(entity, { invoiceId: `${entity}-small`, issuedAt: OCT(3) }),
      invoice(entity, { invoiceId: `${entity}-big`, issuedAt: OCT(3) }),
      dispute({ invoiceId: `${entity}-small`, amountMinor: 10_000 }),
      dispute({ invoiceId: `${entity}-big`, amountMinor: 10_001 }),
    );
    const d = check(await readiness(entity), "no_material_open_disputes");
    expect(d.blockers.map((b) => [b.ref, b.amountMinor])).toEqual([[`${entity}-big`, 10_001]]);
    expect(d.blockers[0]!.link.href).toMatch(/^\/exceptions\/[0-9a-f-]{36}$/);
  });

  it("follows the invoice_disputed exception when there is one: resolved clears, open blocks", async () => {
    const entity = uniqueEntity("disp-exc");
    const resolved = `${entity}-resolved`;
    const open = `${entity}-open`;
    await ingest(
      t.db,
      invoice(entity, { invoiceId: resolved, issuedAt: OCT(3) }),
      invoice(entity, { invoiceId: open, issuedAt: OCT(4) }),
      dispute({ invoiceId: resolved, amountMinor: 50_000 }),
      dispute({ invoiceId: open, amountMinor: 50_000 }),
    );
    await upsertException(t.db, {
      type: "invoice_disputed",
      problemKey: resolved,
      status: "resolved",
      entity,
      invoiceId: resolved,
    });
    const raised = await upsertException(t.db, {
      type: "invoice_disputed",
      problemKey: open,
      status: "in_progress",
      entity,
      invoiceId: open,
      amountMinor: 40_000,
      currency: "USD",
    });
    const d = check(await readiness(entity), "no_material_open_disputes");
    expect(d.blockers.map((b) => [b.ref, b.amountMinor])).toEqual([[open, 40_000]]);
    expect(d.blockers[0]!.link.href).toBe(`/exceptions/${raised.id}`);
  });

  it("passes when nothing is disputed", async () => {
    const entity = uniqueEntity("disp-none");
    await ingest(t.db, invoice(entity, { invoiceId: `${entity}-1`, issuedAt: OCT(3) }));
    expect(check(await readiness(entity), "no_material_open_disputes")).toMatchObject({
      passed: true,
      blockers: [],
    });
  });
});

describe("(e) no pending approvals", () => {
  it("fails on an exception of the entity awaiting approval, and only that", async () => {
    const entity = uniqueEntity("appr");
    await upsertException(t.db, { type: "reconciliation_break", status: "open", entity });
    await upsertException(t.db, {
      type: "reconciliation_break",
      status: "awaiting_approval",
      entity: uniqueEntity("other"),
    });
    expect(check(await readiness(entity), "no_pending_approvals").passed).toBe(true);

    const waiting = await upsertException(t.db, {
      type: "reconciliation_break",
      status: "awaiting_approval",
      entity,
      title: "Write-off of 1,200.00 USD for cus_9",
      amountMinor: 120_000,
      currency: "USD",
    });
    const a = check(await readiness(entity), "no_pending_approvals");
    expect(a.passed).toBe(false);
    expect(a.blockers).toEqual([
      expect.objectContaining({
        kind: "pending_approval",
        ref: waiting.id,
        label: "Write-off of 1,200.00 USD for cus_9",
        amountMinor: 120_000,
      }),
    ]);
  });
});

describe("(e) pending approvals: corrections", () => {
  it("counts a correction pending approval once, not again through its exception", async () => {
    const entity = uniqueEntity("appr-corr");
    const proposer = await makeUser(t.db, "finance");
    const exception = await upsertException(t.db, {
      type: "reconciliation_break",
      status: "awaiting_approval",
      entity,
    });
    const [correction] = await t.db
      .insert(corrections)
      .values({
        exceptionId: exception.id,
        kind: "credit_note",
        amountMinor: 15_000,
        currency: "USD",
        targetSystem: "billing",
        reason: "Double-counted usage on Oct 14",
        requiredApprovals: 1,
        proposedBy: proposer.id,
      })
      .returning();
    const a = check(await readiness(entity), "no_pending_approvals");
    expect(a.passed).toBe(false);
    expect(a.explanation).toBe("1 correction of this entity is waiting for an approver.");
    expect(a.blockers).toEqual([
      expect.objectContaining({
        ref: correction!.id,
        label: "Credit Note proposed: Double-counted usage on Oct 14",
        amountMinor: 15_000,
        currency: "USD",
        link: expect.objectContaining({ href: `/exceptions/${exception.id}` }),
      }),
    ]);

    await t.db
      .update(corrections)
      .set({ status: "approved" })
      .where(eq(corrections.id, correction!.id));
    await upsertException(t.db, {
      type: "reconciliation_break",
      problemKey: exception.problemKey,
      status: "in_progress",
      entity,
    });
    expect(check(await readiness(entity), "no_pending_approvals").passed).toBe(true);
  });
});

describe("(f) no unresolved retroactive amendment into the period", () => {
  it("fails on an amendment made after the period taking effect inside it", async () => {
    const entity = uniqueEntity("amend");
    await ingest(
      t.db,
      amendment(entity, { contractId: "ctr_retro", effectiveFrom: OCT(1), amendedAt: NOV(20) }),
      // Made inside the period: an ordinary amendment for October.
      amendment(entity, { contractId: "ctr_inside", effectiveFrom: OCT(5), amendedAt: OCT(20) }),
      // Effective before October: September's concern.
      amendment(entity, { contractId: "ctr_sep", effectiveFrom: SEP(1), amendedAt: NOV(2) }),
    );
    const f = check(await readiness(entity), "no_unresolved_retroactive_amendments");
    expect(f.passed).toBe(false);
    expect(f.blockers.map((b) => [b.ref, b.amountMinor])).toEqual([["ctr_retro", -25_000]]);
    expect(f.blockers[0]!.detail).toContain("impact −250.00 USD; exception open");
  });

  it("passes once the retroactive_amendment exception is resolved or dismissed, not while open", async () => {
    const entity = uniqueEntity("amend-exc");
    const amended = amendment(entity, {
      contractId: "ctr_1",
      effectiveFrom: OCT(10),
      amendedAt: NOV(3),
    });
    await ingest(t.db, amended);
    const key = {
      type: "retroactive_amendment",
      problemKey: `ctr_1@${amended.id}`,
      entity,
      contractId: "ctr_1",
    } as const;
    const raised = await upsertException(t.db, { ...key, status: "in_progress" });
    const f = check(await readiness(entity), "no_unresolved_retroactive_amendments");
    expect(f.passed).toBe(false);
    expect(f.blockers[0]!.link.href).toBe(`/exceptions/${raised.id}`);

    await upsertException(t.db, { ...key, status: "dismissed" });
    expect(check(await readiness(entity), "no_unresolved_retroactive_amendments").passed).toBe(
      true,
    );
    await upsertException(t.db, { ...key, status: "resolved" });
    expect(check(await readiness(entity), "no_unresolved_retroactive_amendments").passed).toBe(
      true,
    );
  });
});
