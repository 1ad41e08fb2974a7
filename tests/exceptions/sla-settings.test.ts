import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, settings } from "@/db/schema";
import { listExceptions } from "@/db/queries/exceptions";
import { SYSTEM_ACTOR } from "@/lib/audit";
import { InvalidInput } from "@/lib/errors";
import { csvLine } from "@/lib/exceptions/csv";
import { loadQueuePage } from "@/lib/exceptions/queue";
import { loadQueueParams } from "@/lib/exceptions/queue-params";
import { DEFAULT_SLA_POLICY, exceptionAgeMs, slaLevel, slaText } from "@/lib/exceptions/sla";
import {
  SLA_SETTINGS_KEY,
  loadSlaPolicy,
  saveSlaPolicy,
  slaSettingsFromForm,
} from "@/lib/exceptions/sla-settings";
import { TYPES } from "@/lib/exceptions/vocabulary";
import { testDbForSuite } from "../support/db";
import { HOUR, seedException, unique } from "./support";

/*
 * SLA targets per exception type are an admin setting: stored, audited, validated, and what
 * the queue, the exception page and the CSV export measure an exception's age against.
 */

const t = testDbForSuite();
const NOW = new Date("2026-11-10T12:00:00Z");

const hours = (warningHours: number, breachHours: number) => ({ warningHours, breachHours });

describe("SLA targets per exception type", () => {
  it("start at 24 h / 72 h for every type and move the queue's badges when changed", async () => {
    const entity = unique("SLA").toUpperCase();
    const posting = await seedException(t.db, {
      type: "erp_posting_failed",
      entity,
      openedAt: new Date(NOW.getTime() - 30 * HOUR),
    });
    const dispute = await seedException(t.db, {
      type: "invoice_disputed",
      entity,
      openedAt: new Date(NOW.getTime() - 30 * HOUR),
    });
    expect(await loadSlaPolicy(t.db)).toEqual(DEFAULT_SLA_POLICY);

    const levels = async () => {
      const page = await loadQueuePage(t.db, loadQueueParams({ entity }), null, NOW);
      return Object.fromEntries(
        page.items.map((i) => [
          i.id,
          slaLevel(exceptionAgeMs(i.openedAt, i.closedAt, new Date(page.asOf)), i.sla),
        ]),
      );
    };
    // 30 hours old: past the default 24 h warning, within the 72 h SLA.
    expect(await levels()).toEqual({ [posting.id]: "warning", [dispute.id]: "warning" });

    // Failed postings must be cleared within 12 hours; disputes get a week.
    const settingsDoc = Object.fromEntries(TYPES.map((type) => [type, hours(24, 72)]));
    await saveSlaPolicy(
      t.db,
      { ...settingsDoc, erp_posting_failed: hours(2, 12), invoice_disputed: hours(48, 168) },
      SYSTEM_ACTOR,
    );
    expect(await levels()).toEqual({ [posting.id]: "breached", [dispute.id]: "ok" });
    const policy = await loadSlaPolicy(t.db);
    expect(slaText("breached", policy.erp_posting_failed)).toBe("SLA breached (over 12 h)");
    expect(slaText("warning", policy.invoice_disputed)).toBe("Over 48 h");

    // The CSV export measures against the same targets.
    const { rows } = await listExceptions(t.db, { entity, limit: 10, now: NOW });
    const slaColumn = (id: string) =>
      csvLine(
        rows.find((r) => r.id === id)!,
        "https://closeline.test",
        NOW,
        policy,
      ).split(",")[12];
    expect(slaColumn(posting.id)).toBe("breached");
    expect(slaColumn(dispute.id)).toBe("ok");
  });

  it("audits each change with the hours before and after", async () => {
    const entries = await t.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.targetId, SLA_SETTINGS_KEY))
      .orderBy(auditLog.id);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      action: "setting.updated",
      actorType: "system",
      before: { erp_posting_failed: hours(24, 72), invoice_disputed: hours(24, 72) },
      after: { erp_posting_failed: hours(2, 12), invoice_disputed: hours(48, 168) },
    });
  });

  it("refuses a warning that does not come before the breach, or no number, and changes nothing", async () => {
    const before = await t.db.select().from(settings).where(eq(settings.key, SLA_SETTINGS_KEY));
    await expect(
      saveSlaPolicy(t.db, { reconciliation_break: hours(72, 24) }, SYSTEM_ACTOR),
    ).rejects.toThrow(/Reconciliation break: the warning must come before the breach/);
    await expect(
      saveSlaPolicy(t.db, { reconciliation_break: hours(-1, 24) }, SYSTEM_ACTOR),
    ).rejects.toThrow(InvalidInput);
    expect(() =>
      slaSettingsFromForm((field) => (field === "usage_incomplete.breachHours" ? "soon" : "10")),
    ).toThrow(InvalidInput);
    expect(await t.db.select().from(settings).where(eq(settings.key, SLA_SETTINGS_KEY))).toEqual(
      before,
    );
  });

  it("reads the form's fields, one pair per type", () => {
    const form = slaSettingsFromForm((field) => (field.endsWith("warningHours") ? "4" : "36"));
    expect(Object.keys(form).sort()).toEqual([...TYPES].sort());
    expect(form.event_rejected).toEqual(hours(4, 36));
  });
});
