import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { auditLog, settings } from "@/db/schema";
import { SYSTEM_ACTOR } from "@/lib/audit";
import { InvalidInput } from "@/lib/errors";
import {
  DEFAULT_TARGETS,
  SETTINGS_KEY,
  describeTarget,
  fromInputValue,
  loadTargets,
  parseStoredTargets,
  saveTargets,
  statusOf,
  targetFormRows,
  targetsFromForm,
  toInputValue,
  worstStatus,
  type KpiTargets,
} from "@/lib/kpi/targets";
import { testDbForSuite } from "../support/db";

const HOUR = 3_600_000;
const MINUTE = 60_000;

describe("status against a target", () => {
  it("applies the issue's defaults: completeness ≥ 99.5%, first pass ≥ 98%, latency ≤ 24 h, sync ≤ 15 min, breaks = 0", () => {
    const t = DEFAULT_TARGETS;
    expect(statusOf("usageCompleteness", 0.995, t)).toBe("ok");
    expect(statusOf("usageCompleteness", 0.9949, t)).toBe("warn");
    expect(statusOf("usageCompleteness", 0.97, t)).toBe("bad");
    expect(statusOf("erpFirstPassRate", 0.98, t)).toBe("ok");
    expect(statusOf("erpFirstPassRate", 0.9, t)).toBe("bad");
    expect(statusOf("invoiceLatencyP95", 24 * HOUR, t)).toBe("ok");
    expect(statusOf("invoiceLatencyP95", 24 * HOUR + 1, t)).toBe("warn");
    expect(statusOf("invoiceLatencyP95", 49 * HOUR, t)).toBe("bad");
    expect(statusOf("entitlementSyncP95", 15 * MINUTE, t)).toBe("ok");
    expect(statusOf("entitlementSyncP95", 16 * MINUTE, t)).toBe("warn");
    expect(statusOf("reconciliationBreaks", 0, t)).toBe("ok");
    // No warning band for breaks: one break is off target.
    expect(statusOf("reconciliationBreaks", 1, t)).toBe("bad");
  });

  it("calls a null value no data, never on target, whether or not a target is set", () => {
    for (const metric of ["usageCompleteness", "reconciliationBreaks", "eventLagP95"] as const) {
      expect(statusOf(metric, null, DEFAULT_TARGETS)).toBe("no-data");
      expect(statusOf(metric, undefined, DEFAULT_TARGETS)).toBe("no-data");
      expect(statusOf(metric, Number.NaN, DEFAULT_TARGETS)).toBe("no-data");
    }
  });

  it("has no colour for a metric without a target", () => {
    expect(DEFAULT_TARGETS.eventLagP95).toBeNull();
    expect(statusOf("eventLagP95", 5 * HOUR, DEFAULT_TARGETS)).toBe("no-target");
  });

  it("judges a tile by its worst metric, with no data outranking on target", () => {
    expect(worstStatus(["ok", "no-target"])).toBe("ok");
    expect(worstStatus(["ok", "no-data"])).toBe("no-data");
    expect(worstStatus(["no-data", "warn"])).toBe("warn");
    expect(worstStatus(["warn", "bad", "ok"])).toBe("bad");
    expect(worstStatus(["no-target", "no-target"])).toBe("no-target");
    expect(worstStatus([])).toBe("no-target");
  });

  it("describes the rule a status was decided by", () => {
    expect(describeTarget("usageCompleteness", DEFAULT_TARGETS)).toBe(
      "target ≥ 99.5%, warning ≥ 98.0%",
    );
    expect(describeTarget("invoiceLatencyP95", DEFAULT_TARGETS)).toBe(
      "target ≤ 1 d, warning ≤ 2 d",
    );
    expect(describeTarget("reconciliationBreaks", DEFAULT_TARGETS)).toBe("target ≤ 0");
    expect(describeTarget("eventLagP95", DEFAULT_TARGETS)).toBe("no target set");
  });
});

describe("reading stored targets", () => {
  it("uses the defaults when nothing is stored", () => {
    expect(parseStoredTargets(null)).toEqual(DEFAULT_TARGETS);
    expect(parseStoredTargets("nonsense")).toEqual(DEFAULT_TARGETS);
  });

  it("keeps valid choices, and takes the default for a metric that is missing or invalid", () => {
    const stored = {
      usageCompleteness: { ok: 0.99, warn: null },
      erpFirstPassRate: { ok: 1.5, warn: null },
      eventLagP95: { ok: 10 * MINUTE, warn: 30 * MINUTE },
      reconciliationBreaks: null,
    };
    const targets = parseStoredTargets(stored);
    expect(targets.usageCompleteness).toEqual({ ok: 0.99, warn: null });
    expect(targets.erpFirstPassRate).toEqual(DEFAULT_TARGETS.erpFirstPassRate);
    expect(targets.eventLagP95).toEqual({ ok: 10 * MINUTE, warn: 30 * MINUTE });
    expect(targets.reconciliationBreaks).toBeNull();
    expect(targets.invoiceLatencyP95).toEqual(DEFAULT_TARGETS.invoiceLatencyP95);
  });
});

describe("the settings form", () => {
  const fields = (values: Record<string, string>) => (name: string) => values[name] ?? null;

  it("shows stored values in the units an admin types and reads them back exactly", () => {
    const rows = targetFormRows(DEFAULT_TARGETS);
    const completeness = rows.find((r) => r.metric === "usageCompleteness")!;
    expect(completeness).toMatchObject({ ok: "99.5", warn: "98", sign: "≥", unit: "%" });
    expect(rows.find((r) => r.metric === "invoiceLatencyP95")).toMatchObject({
      ok: "24",
      warn: "48",
      unit: "hours",
    });
    expect(rows.find((r) => r.metric === "entitlementSyncP95")).toMatchObject({
      ok: "15",
      warn: "60",
      unit: "minutes",
    });
    const typed = Object.fromEntries(
      rows.flatMap((r) => [
        [`${r.metric}.ok`, r.ok],
        [`${r.metric}.warn`, r.warn],
      ]),
    );
    expect(targetsFromForm(fields(typed))).toEqual(DEFAULT_TARGETS);
    expect(fromInputValue("usageCompleteness", 99.5)).toBe(0.995);
    expect(toInputValue("usageCompleteness", 0.995)).toBe(99.5);
  });

  it("treats an empty target as none and refuses text or a warning level without a target", () => {
    const none = targetsFromForm(fields({}));
    expect(Object.values(none).every((t) => t === null)).toBe(true);
    expect(() => targetsFromForm(fields({ "usageCompleteness.ok": "lots" }))).toThrow(InvalidInput);
    expect(() => targetsFromForm(fields({ "usageCompleteness.warn": "98" }))).toThrow(
      /needs a target/,
    );
  });
});

describe("saving targets", () => {
  const handle = testDbForSuite();

  it("stores them, reads them back, and audits before and after in the same transaction", async () => {
    const { db } = handle;
    expect(await loadTargets(db)).toEqual(DEFAULT_TARGETS);
    const next: KpiTargets = {
      ...DEFAULT_TARGETS,
      usageCompleteness: { ok: 0.999, warn: 0.99 },
      eventLagP95: { ok: 5 * MINUTE, warn: null },
    };
    await saveTargets(db, next, SYSTEM_ACTOR);
    expect(await loadTargets(db)).toEqual(next);

    const audit = await db.select().from(auditLog).where(eq(auditLog.targetId, SETTINGS_KEY));
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: "setting.updated",
      actorType: "system",
      before: DEFAULT_TARGETS,
      after: next,
    });

    const further: KpiTargets = { ...next, reconciliationBreaks: { ok: 2, warn: 5 } };
    await saveTargets(db, further, SYSTEM_ACTOR);
    const entries = await db
      .select()
      .from(auditLog)
      .where(eq(auditLog.targetId, SETTINGS_KEY))
      .orderBy(auditLog.id);
    expect(entries.map((e) => [e.before, e.after])).toEqual([
      [DEFAULT_TARGETS, next],
      [next, further],
    ]);
  });

  it("refuses invalid targets and changes nothing", async () => {
    const { db } = handle;
    const before = await db.select().from(settings);
    await expect(
      saveTargets(
        db,
        { ...DEFAULT_TARGETS, usageCompleteness: { ok: 0.99, warn: 0.995 } },
        SYSTEM_ACTOR,
      ),
    ).rejects.toThrow(/warning level must not be above the target/);
    await expect(
      saveTargets(
        db,
        { ...DEFAULT_TARGETS, reconciliationBreaks: { ok: 1.5, warn: null } },
        SYSTEM_ACTOR,
      ),
    ).rejects.toThrow(InvalidInput);
    expect(await db.select().from(settings)).toEqual(before);
  });
});
