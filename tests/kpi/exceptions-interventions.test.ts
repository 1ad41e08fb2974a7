import { beforeAll, describe, expect, it } from "vitest";
import { auditLog, exceptions, users } from "@/db/schema";
import { resolveException, startException } from "@/lib/exceptions/workflow";
import { testDbForSuite } from "../support/db";
import { DAY, HOUR, kpis, kpisOnDay } from "./support";

/*
 * Exceptions: open count (open, in progress or awaiting approval) and age by type, as of
 * `now` whatever the range. Manual interventions: human workflow actions in the audit log
 * (exception.*, correction.*, rejected_event.*) in [from, to). Neither comes from events,
 * so the fixtures are rows of their own tables.
 */

const t = testDbForSuite();

describe("open exceptions", () => {
  // now = 2025-06-10 00:00.
  //   X1 erp_posting_failed    open               EU  opened 06-09 00:00  age 1 d
  //   X2 erp_posting_failed    in_progress        US  opened 06-07 00:00  age 3 d
  //   X3 reconciliation_break  awaiting_approval  EU  opened 06-09 12:00  age 12 h
  //   X4 reconciliation_break  resolved           EU  (closed: not open)
  //   X5 invoice_disputed      dismissed          US  (closed: not open)
  // open 3; erp_posting_failed: 2, oldest 3 d, median (1 d + 3 d) / 2 = 2 d;
  // reconciliation_break: 1, oldest = median = 12 h.
  const now = "2025-06-10T00:00:00Z";

  beforeAll(async () => {
    const row = (
      problemKey: string,
      type: "erp_posting_failed" | "reconciliation_break" | "invoice_disputed",
      status: "open" | "in_progress" | "awaiting_approval" | "resolved" | "dismissed",
      entity: string,
      openedAt: string,
    ) => ({ problemKey, type, status, entity, title: problemKey, openedAt: new Date(openedAt) });
    await t.db
      .insert(exceptions)
      .values([
        row("X1", "erp_posting_failed", "open", "EU", "2025-06-09T00:00:00Z"),
        row("X2", "erp_posting_failed", "in_progress", "US", "2025-06-07T00:00:00Z"),
        row("X3", "reconciliation_break", "awaiting_approval", "EU", "2025-06-09T12:00:00Z"),
        row("X4", "reconciliation_break", "resolved", "EU", "2025-06-01T00:00:00Z"),
        row("X5", "invoice_disputed", "dismissed", "US", "2025-06-01T00:00:00Z"),
      ]);
  });

  it("counts the open ones by type with their age at now, whatever the range", async () => {
    const ranges: [string, string][] = [
      ["2025-06-09T00:00:00Z", "2025-06-10T00:00:00Z"],
      ["2025-01-01T00:00:00Z", "2025-01-02T00:00:00Z"],
    ];
    for (const [from, to] of ranges) {
      const report = await kpis(t.db, from, to, { now });
      expect(report.exceptions).toEqual({
        open: 3,
        byType: {
          erp_posting_failed: { open: 2, oldestAgeMs: 3 * DAY, medianAgeMs: 2 * DAY },
          reconciliation_break: { open: 1, oldestAgeMs: 12 * HOUR, medianAgeMs: 12 * HOUR },
        },
      });
    }
  });

  it("filters by entity", async () => {
    const report = await kpisOnDay(t.db, "2025-06-09", { entity: "EU", now });
    expect(report.exceptions).toEqual({
      open: 2,
      byType: {
        erp_posting_failed: { open: 1, oldestAgeMs: DAY, medianAgeMs: DAY },
        reconciliation_break: { open: 1, oldestAgeMs: 12 * HOUR, medianAgeMs: 12 * HOUR },
      },
    });
  });

  it("is 0 with no types when nothing is open for the entity", async () => {
    const report = await kpisOnDay(t.db, "2025-06-09", { entity: "JP", now });
    expect(report.exceptions).toEqual({ open: 0, byType: {} });
  });
});

describe("manual interventions", () => {
  // Range [2025-06-01, 2025-06-02):
  //   user     exception.resolved        06-01 00:00 (at from)  after.entity EU    counts
  //   user     correction.applied        06-01 10:00            before.entity US   counts
  //   user     rejected_event.replayed   06-01 11:00            no entity          counts
  //   user     user.signed_in            06-01 12:00            not a workflow action
  //   system   exception.opened          06-01 12:00            not human
  //   api_key  exception.resolved        06-01 13:00            not human
  //   user     exception.assigned        06-02 00:00 (at to)    out
  // 3 in all; EU 1; US 1.
  beforeAll(async () => {
    const entry = (
      at: string,
      actorType: "user" | "system" | "api_key",
      action: string,
      entity: { before?: string; after?: string } = {},
    ) => ({
      at: new Date(at),
      actorType,
      actorId: actorType === "user" ? "user-1" : null,
      action,
      before: entity.before ? { entity: entity.before } : null,
      after: entity.after ? { entity: entity.after } : null,
    });
    await t.db
      .insert(auditLog)
      .values([
        entry("2025-06-01T00:00:00Z", "user", "exception.resolved", { after: "EU" }),
        entry("2025-06-01T10:00:00Z", "user", "correction.applied", { before: "US" }),
        entry("2025-06-01T11:00:00Z", "user", "rejected_event.replayed"),
        entry("2025-06-01T12:00:00Z", "user", "user.signed_in"),
        entry("2025-06-01T12:00:00Z", "system", "exception.opened", { after: "EU" }),
        entry("2025-06-01T13:00:00Z", "api_key", "exception.resolved", { after: "EU" }),
        entry("2025-06-02T00:00:00Z", "user", "exception.assigned", { after: "EU" }),
      ]);
  });

  it("counts human workflow actions in [from, to)", async () => {
    expect((await kpisOnDay(t.db, "2025-06-01")).manualInterventions).toBe(3);
    expect((await kpisOnDay(t.db, "2025-06-02")).manualInterventions).toBe(1);
  });

  it("filters by the entity the action names before or after", async () => {
    const range = ["2025-06-01T00:00:00Z", "2025-06-02T00:00:00Z"] as const;
    expect((await kpis(t.db, ...range, { entity: "EU" })).manualInterventions).toBe(1);
    expect((await kpis(t.db, ...range, { entity: "US" })).manualInterventions).toBe(1);
  });

  it("is a count, so a quiet range is 0", async () => {
    expect((await kpisOnDay(t.db, "2025-06-05")).manualInterventions).toBe(0);
  });
});

describe("manual interventions through the exception workflow", () => {
  // A finance user starts and resolves an EU exception with the real workflow, which audits
  // both as the user but records no entity in the entry: the entity is the exception's.
  // Both entries are stamped with the real now, so the range is the hour around it.
  it("counts the actions and finds their entity through the exception they act on", async () => {
    const [user] = await t.db
      .insert(users)
      .values({ email: "kpi-worker@example.test", role: "finance" })
      .returning();
    const [exception] = await t.db
      .insert(exceptions)
      .values({ type: "erp_posting_failed", problemKey: "WF-1", title: "WF-1", entity: "ACME-EU" })
      .returning();
    const ctx = { actor: { id: user!.id, email: user!.email, role: user!.role } };
    const started = await startException(t.db, ctx, {
      id: exception!.id,
      version: exception!.version,
    });
    await resolveException(t.db, ctx, {
      id: exception!.id,
      version: started.version,
      code: "fixed_in_source",
    });

    const now = Date.now();
    const from = new Date(now - HOUR).toISOString();
    const to = new Date(now + HOUR).toISOString();
    expect((await kpis(t.db, from, to)).manualInterventions).toBe(2);
    expect((await kpis(t.db, from, to, { entity: "ACME-EU" })).manualInterventions).toBe(2);
    expect((await kpis(t.db, from, to, { entity: "ACME-US" })).manualInterventions).toBe(0);
  });
});
