import { describe, expect, it } from "vitest";
import { actionLabel, describeAudit, type AuditRow } from "@/lib/audit-describe";
import { fieldLabel, formatFieldValue } from "@/lib/humanise";

const row = (over: Partial<AuditRow>): AuditRow => ({
  id: 42,
  at: new Date("2026-12-06T14:05:00Z"),
  actorType: "user",
  actorId: "5b1c0e0a-0000-4000-8000-000000000001",
  actorLabel: "ana@example.com",
  action: "user.role_changed",
  targetType: "user",
  targetId: "5b1c0e0a-0000-4000-8000-000000000002",
  before: null,
  after: null,
  ip: "10.0.0.1",
  userAgent: "Mozilla/5.0",
  ...over,
});

describe("field names and values in words", () => {
  it.each([
    ["amountMinor", "Amount"],
    ["thresholdMinor", "Threshold"],
    ["ownerEmail", "Owner email"],
    ["p95Ms", "p95"],
    ["targetSystem", "Target system"],
    ["resolution_code", "Resolution code"],
    ["url", "URL"],
  ])("%s reads %s", (key, label) => {
    expect(fieldLabel(key)).toBe(label);
  });

  it("formats amounts in their currency, durations, instants in the reader's zone and vocabulary", () => {
    const ctx = { currency: "USD", timeZone: "Europe/Paris" };
    expect(formatFieldValue("actualMinor", 57079, ctx)).toBe("570.79 USD");
    expect(formatFieldValue("actualMinor", "123456", ctx)).toBe("1,234.56 USD");
    expect(formatFieldValue("p95Ms", 7_500_000, ctx)).toBe("2 h 5 min");
    expect(formatFieldValue("closedAt", "2026-12-06T14:05:00.000Z", ctx)).toBe(
      "6 Dec 2026, 15:05 UTC+1",
    );
    expect(formatFieldValue("status", "awaiting_approval", ctx)).toBe("awaiting approval");
    expect(formatFieldValue("active", false, ctx)).toBe("no");
    expect(formatFieldValue("ownerId", null, ctx)).toBe("—");
    expect(formatFieldValue("scopes", ["ingest", "read"], ctx)).toBe("ingest, read");
  });

  it("does not call a number money when the record has no currency", () => {
    expect(formatFieldValue("amountMinor", 57079, { timeZone: "UTC" })).toBe("57,079");
  });
});

describe("describeAudit", () => {
  it("shows a change as field: old → new, and what identifies the record as context", () => {
    const d = describeAudit(
      row({
        before: { email: "bo@example.com", role: "finance" },
        after: { email: "bo@example.com", role: "admin" },
      }),
      "UTC",
    );
    expect(d.action).toBe("Changed a user's role");
    expect(d.actor).toBe("ana@example.com");
    expect(d.changes).toEqual([{ field: "Role", before: "finance", after: "admin" }]);
    expect(d.context).toEqual([{ field: "Email", after: "bo@example.com" }]);
  });

  it("never shows raw minor units: a proposed correction reads in its currency", () => {
    const d = describeAudit(
      row({
        action: "correction.proposed",
        targetType: "correction",
        before: { exceptionStatus: "open" },
        after: {
          exceptionId: "9f0e",
          entity: "acme-us",
          kind: "credit_note",
          amountMinor: 57079,
          currency: "USD",
          requiredApprovals: 2,
          thresholdMinor: 1000000,
        },
      }),
      "UTC",
    );
    const text = JSON.stringify(d.changes);
    expect(text).toContain("570.79 USD");
    expect(text).toContain("10,000.00 USD");
    expect(text).not.toMatch(/57079|Minor/);
    expect(d.changes).toContainEqual({ field: "Kind", after: "credit note" });
    // The exception id is for engineers: technical details, not the change list.
    expect(d.changes.map((c) => c.field)).not.toContain("Exception ID");
    expect(d.technical).toContainEqual({ label: "exceptionId", value: '"9f0e"' });
  });

  it("keeps versions, problem keys and ids under technical details", () => {
    const d = describeAudit(
      row({
        action: "exception.assigned",
        targetType: "exception",
        targetId: "abc",
        before: { status: "open", ownerId: null, version: 3, problemKey: "posting:P-1" },
        after: {
          status: "in_progress",
          ownerId: "u-2",
          ownerEmail: "bo@example.com",
          version: 4,
          problemKey: "posting:P-1",
        },
      }),
      "UTC",
    );
    expect(d.changes).toEqual([
      { field: "Status", before: "open", after: "in progress" },
      { field: "Owner email", after: "bo@example.com" },
    ]);
    const labels = d.technical.map((t) => t.label);
    expect(labels).toEqual(
      expect.arrayContaining(["ownerId", "version", "problemKey", "target id", "actor id"]),
    );
    expect(d.technical).toContainEqual({ label: "version", value: "3 → 4" });
    expect(d.targetHref).toBe("/exceptions/abc");
    expect(d.target).toBe("Exception");
  });

  it("shows changed nested settings one line each, durations humanised", () => {
    const d = describeAudit(
      row({
        action: "setting.updated",
        targetType: "setting",
        before: { eventLag: { okMs: 3_600_000, warnMs: 7_200_000 } },
        after: { eventLag: { okMs: 1_800_000, warnMs: 7_200_000 } },
      }),
      "UTC",
    );
    expect(d.changes).toEqual([{ field: "Event lag › Ok", before: "1 h", after: "30 min" }]);
  });

  it("renders instants in the reader's zone and keeps the exact ISO time in technical details", () => {
    const d = describeAudit(
      row({
        action: "close.period_closed",
        targetType: "close_period",
        before: { entity: "acme-us", period: "2026-11", closedAt: null },
        after: { entity: "acme-us", period: "2026-11", closedAt: "2026-12-06T14:05:00.000Z" },
      }),
      "America/New_York",
    );
    expect(d.changes).toEqual([
      { field: "Closed at", before: "—", after: "6 Dec 2026, 09:05 UTC−5" },
    ]);
    expect(d.technical.at(-3)?.value).toContain("2026-12-06T14:05:00.000Z");
  });

  it("names system, command-line and API-key actors in words", () => {
    expect(describeAudit(row({ actorType: "system", actorLabel: "closeline" }), "UTC").actor).toBe(
      "Closeline",
    );
    expect(describeAudit(row({ actorType: "cli", actorLabel: "command line" }), "UTC").actor).toBe(
      "Command line",
    );
    expect(describeAudit(row({ actorType: "api_key", actorLabel: "billing" }), "UTC").actor).toBe(
      "API key billing",
    );
  });

  it("words an action it has never seen from its name", () => {
    expect(actionLabel("exception.escalated_to_finance")).toBe("Exception: escalated to finance");
    expect(actionLabel("user.time_zone_changed")).toBe("Changed their time zone");
  });
});
