import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { corrections } from "@/db/schema";
import {
  NOV,
  OCT,
  SEP,
  amendment,
  check,
  dispute,
  forgetInvoiceExceptions,
  ingest,
  invoice,
  makeUser,
  readinessSuite,
  uniqueEntity,
  upsertException,
} from "./support";

/*
 * Close readiness checks (d), no open dispute above materiality, (e), no pending approvals
 * (exceptions and corrections), and (f), no unresolved retroactive amendment, on hand-made
 * telemetry for October 2026.
 */

const { t, readiness, materiality } = readinessSuite();

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
