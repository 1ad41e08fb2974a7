import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { accountingPeriods, auditLog, materialityThresholds } from "@/db/schema";
import { isInClosedPeriod } from "@/db/queries/close-periods";
import type { AuditActor } from "@/lib/audit";
import { parseMajorUnits, setMateriality } from "@/lib/close/materiality";
import { closePeriod, reopenPeriod } from "@/lib/close/periods";
import { computeCloseReadiness } from "@/lib/close/readiness";
import { Conflict, InvalidInput } from "@/lib/errors";
import { testDbForSuite } from "../support/db";
import {
  NOV,
  OCT,
  PERIOD,
  completeUsage,
  ingest,
  invoice,
  makeUser,
  posting,
  uniqueEntity,
} from "./support";

/*
 * Closing and reopening a period, and setting materiality: each change and its audit entry
 * commit together, and the entry says who, what before and after, and why.
 */

const t = testDbForSuite();
let finance: { id: string; actor: AuditActor };
beforeAll(async () => {
  const user = await makeUser(t.db, "finance");
  finance = { id: user.id, actor: { type: "user", id: user.id, label: user.email } };
});
const by = () => ({
  userId: finance.id,
  actor: finance.actor,
  meta: { ip: "10.0.0.7", userAgent: "vitest" },
});
const auditFor = (targetId: string) =>
  t.db.select().from(auditLog).where(eq(auditLog.targetId, targetId)).orderBy(auditLog.id);

async function readyEntity(label: string) {
  const entity = uniqueEntity(label);
  await ingest(
    t.db,
    completeUsage(entity),
    invoice(entity, { invoiceId: `${entity}-1`, issuedAt: OCT(3) }),
    posting(entity, { invoiceId: `${entity}-1`, status: "succeeded", attemptedAt: OCT(3, 1) }),
  );
  return entity;
}

describe("closing a period", () => {
  it("records who closed it, shows it in readiness, and audits it with the verdict", async () => {
    const entity = await readyEntity("close");
    const { period, verdict } = await closePeriod(t.db, { entity, period: "2026-10" }, by());
    expect(verdict).toBe("go");
    expect(period).toMatchObject({
      entity,
      periodStart: new Date(OCT(1)),
      periodEnd: new Date(NOV(1)),
      closedBy: finance.id,
    });
    expect(period.closedAt).toBeInstanceOf(Date);

    const report = await computeCloseReadiness(t.db, { entity, period: PERIOD });
    expect(report.closed).toEqual({
      closedAt: period.closedAt!.toISOString(),
      closedBy: finance.actor.label,
    });
    expect(await isInClosedPeriod(t.db, entity, new Date(OCT(31, 23)))).toBe(true);
    expect(await isInClosedPeriod(t.db, entity, new Date(NOV(1)))).toBe(false);

    const [entry, ...rest] = await auditFor(`${entity}/2026-10`);
    expect(rest).toEqual([]);
    expect(entry).toMatchObject({
      actorType: "user",
      actorId: finance.id,
      actorLabel: finance.actor.label,
      action: "close.period_closed",
      targetType: "accounting_period",
      before: { entity, period: "2026-10", closedAt: null },
      after: { entity, period: "2026-10", verdict: "go", failingChecks: [], reason: null },
      ip: "10.0.0.7",
    });
  });

  it("refuses to close a NO-GO period without a reason, and records the blockers with one", async () => {
    const entity = uniqueEntity("close-nogo");
    await ingest(
      t.db,
      completeUsage(entity),
      invoice(entity, { invoiceId: `${entity}-1`, issuedAt: OCT(3) }),
    );
    await expect(closePeriod(t.db, { entity, period: "2026-10" }, by())).rejects.toBeInstanceOf(
      InvalidInput,
    );
    expect(
      await t.db.select().from(accountingPeriods).where(eq(accountingPeriods.entity, entity)),
    ).toEqual([]);
    expect(await auditFor(`${entity}/2026-10`)).toEqual([]);

    const reason = "Invoice posts on the 2nd; CFO accepts";
    await closePeriod(t.db, { entity, period: "2026-10", reason }, by());
    const [entry] = await auditFor(`${entity}/2026-10`);
    expect(entry!.after).toMatchObject({
      verdict: "no_go",
      failingChecks: [{ check: "invoices_posted", blockers: 1 }],
      reason,
    });
  });

  it("refuses to close a closed period twice", async () => {
    const entity = await readyEntity("close-twice");
    await closePeriod(t.db, { entity, period: "2026-10" }, by());
    await expect(closePeriod(t.db, { entity, period: "2026-10" }, by())).rejects.toBeInstanceOf(
      Conflict,
    );
    expect(await auditFor(`${entity}/2026-10`)).toHaveLength(1);
  });

  it("refuses a malformed period", async () => {
    await expect(
      closePeriod(t.db, { entity: "X", period: "2026-13" }, by()),
    ).rejects.toBeInstanceOf(InvalidInput);
    await expect(
      closePeriod(t.db, { entity: "X", period: "October" }, by()),
    ).rejects.toBeInstanceOf(InvalidInput);
  });
});

describe("reopening a period", () => {
  it("needs a reason, clears the close and audits before and after; the period can close again", async () => {
    const entity = await readyEntity("reopen");
    await expect(
      reopenPeriod(t.db, { entity, period: "2026-10", reason: "x" }, by()),
    ).rejects.toBeInstanceOf(Conflict);
    const closed = await closePeriod(t.db, { entity, period: "2026-10" }, by());
    await expect(
      reopenPeriod(t.db, { entity, period: "2026-10", reason: " " }, by()),
    ).rejects.toBeInstanceOf(InvalidInput);

    await reopenPeriod(
      t.db,
      { entity, period: "2026-10", reason: "Late credit note for cus_7" },
      by(),
    );
    const [row] = await t.db
      .select()
      .from(accountingPeriods)
      .where(eq(accountingPeriods.entity, entity));
    expect(row).toMatchObject({ closedAt: null, closedBy: null });
    expect((await computeCloseReadiness(t.db, { entity, period: PERIOD })).closed).toBeNull();

    await closePeriod(t.db, { entity, period: "2026-10" }, by());
    const entries = await auditFor(`${entity}/2026-10`);
    expect(entries.map((e) => e.action)).toEqual([
      "close.period_closed",
      "close.period_reopened",
      "close.period_closed",
    ]);
    expect(entries[1]).toMatchObject({
      before: { closedAt: closed.period.closedAt!.toISOString(), closedBy: finance.id },
      after: { closedAt: null, reason: "Late credit note for cus_7" },
    });
  });
});

describe("materiality", () => {
  it("is set per entity and currency, audited with before and after, and unchanged values write nothing", async () => {
    const entity = uniqueEntity("mat");
    await setMateriality(t.db, { entity, currency: "USD", thresholdMinor: 50_000 }, by());
    await setMateriality(t.db, { entity, currency: "JPY", thresholdMinor: 50_000 }, by());
    const again = await setMateriality(
      t.db,
      { entity, currency: "USD", thresholdMinor: 50_000 },
      by(),
    );
    expect(again.changed).toBe(false);
    await setMateriality(t.db, { entity, currency: "USD", thresholdMinor: 75_000 }, by());

    const rows = await t.db
      .select()
      .from(materialityThresholds)
      .where(eq(materialityThresholds.entity, entity));
    expect(rows.map((r) => [r.currency, r.thresholdMinor]).sort()).toEqual([
      ["JPY", 50_000],
      ["USD", 75_000],
    ]);
    const usd = await auditFor(`${entity}/USD`);
    expect(usd.map((e) => [e.action, e.before, e.after])).toEqual([
      ["close.materiality_set", null, { entity, currency: "USD", thresholdMinor: 50_000 }],
      [
        "close.materiality_set",
        { entity, currency: "USD", thresholdMinor: 50_000 },
        { entity, currency: "USD", thresholdMinor: 75_000 },
      ],
    ]);
  });

  it("refuses negative amounts, fractions of a minor unit and unknown currencies", async () => {
    const entity = uniqueEntity("mat-bad");
    await expect(
      setMateriality(t.db, { entity, currency: "USD", thresholdMinor: -1 }, by()),
    ).rejects.toBeInstanceOf(InvalidInput);
    await expect(
      setMateriality(t.db, { entity, currency: "USD", thresholdMinor: 1.5 }, by()),
    ).rejects.toBeInstanceOf(InvalidInput);
    await expect(
      setMateriality(t.db, { entity, currency: "XYZ", thresholdMinor: 1 }, by()),
    ).rejects.toBeInstanceOf(InvalidInput);
    const rows = await t.db
      .select()
      .from(materialityThresholds)
      .where(
        and(eq(materialityThresholds.entity, entity), eq(materialityThresholds.currency, "USD")),
      );
    expect(rows).toEqual([]);
  });

  it("reads amounts typed in major units exactly, in the currency's own decimals", () => {
    expect(parseMajorUnits("1,250.50", "USD")).toBe(125_050);
    expect(parseMajorUnits("0.1", "USD")).toBe(10);
    expect(parseMajorUnits("5000", "JPY")).toBe(5000);
    expect(parseMajorUnits("1.234", "BHD")).toBe(1234);
    expect(() => parseMajorUnits("10.5", "JPY")).toThrow(InvalidInput);
    expect(() => parseMajorUnits("1.001", "USD")).toThrow(InvalidInput);
    expect(() => parseMajorUnits("-5", "USD")).toThrow(InvalidInput);
    expect(() => parseMajorUnits("1e3", "USD")).toThrow(InvalidInput);
  });
});
