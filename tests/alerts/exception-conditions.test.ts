import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { alerts, exceptions, incidents } from "@/db/schema";
import { evaluateAlerts } from "@/lib/alerts/evaluate";
import { AlertCondition } from "@/lib/contract/alert-rules";
import { saveSlaPolicy } from "@/lib/exceptions/sla-settings";
import { testDbForSuite } from "../support/db";
import { HOUR } from "../kpi/support";
import { ADMIN_ACTOR, alertStatesOf, alertingKit } from "./support";

/*
 * The exception conditions beyond an open count: a new exception at or above a severity (one
 * alert per exception, resolved when it closes) and exceptions past their SLA. The exceptions
 * are written directly, with the severity and age each case needs.
 */

const t = testDbForSuite();
const { conditionRule } = alertingKit(t);
const SECOND = 1_000;
/** A new exception at high severity or worse: one alert per exception (or per incident). */
const NEW_HIGH_OR_WORSE = { kind: "exceptions", trigger: "new", severity: "high" };

async function exception(values: {
  type?: (typeof exceptions.$inferInsert)["type"];
  severity: (typeof exceptions.$inferInsert)["severity"];
  entity: string;
  openedAt: Date;
  status?: (typeof exceptions.$inferInsert)["status"];
}) {
  const [row] = await t.db
    .insert(exceptions)
    .values({
      type: values.type ?? "erp_posting_failed",
      problemKey: `K-${randomUUID()}`,
      title: "Posting failed",
      severity: values.severity,
      entity: values.entity,
      openedAt: values.openedAt,
      status: values.status ?? "open",
    })
    .returning();
  return row!;
}

describe("a new exception at or above a severity", () => {
  it("fires once per exception opened since the rule was made, and resolves when it closes", async () => {
    const rule = await conditionRule("High or worse", NEW_HIGH_OR_WORSE, "NEW");
    const made = rule.createdAt.getTime();
    // Before the rule: not new, however critical.
    await exception({ severity: "critical", entity: "NEW", openedAt: new Date(made - HOUR) });
    // After it: high and critical count, medium does not, another entity does not.
    const high = await exception({
      severity: "high",
      entity: "NEW",
      openedAt: new Date(made + SECOND),
    });
    const critical = await exception({
      type: "invoice_disputed",
      severity: "critical",
      entity: "NEW",
      openedAt: new Date(made + 2 * SECOND),
    });
    await exception({ severity: "medium", entity: "NEW", openedAt: new Date(made + SECOND) });
    await exception({ severity: "critical", entity: "OTHER", openedAt: new Date(made + SECOND) });

    await evaluateAlerts(t.db, new Date(made + 3 * SECOND));
    expect(await alertStatesOf(t.db, rule.id)).toEqual(
      [
        { dimension: `erp_posting_failed: ${high.problemKey}`, state: "firing", value: null },
        { dimension: `invoice_disputed: ${critical.problemKey}`, state: "firing", value: null },
      ].sort((a, b) => a.dimension.localeCompare(b.dimension)),
    );

    await t.db
      .update(exceptions)
      .set({ status: "resolved", closedAt: new Date(made + 4 * SECOND) })
      .where(eq(exceptions.id, high.id));
    await evaluateAlerts(t.db, new Date(made + 5 * SECOND));
    const after = await alertStatesOf(t.db, rule.id);
    expect(after.find((a) => a.dimension.endsWith(high.problemKey))!.state).toBe("resolved");
    expect(after.find((a) => a.dimension.endsWith(critical.problemKey))!.state).toBe("firing");
  });
});

describe("a new exception that belongs to an incident", () => {
  it("fires once per incident, however many of its members are new, and resolves when they close", async () => {
    const rule = await conditionRule("High or worse, per incident", NEW_HIGH_OR_WORSE, "STORM");
    const made = rule.createdAt.getTime();
    const [incident] = await t.db
      .insert(incidents)
      .values({
        kind: "erp_posting_failed",
        causeKey: `erp_posting_failed|/erp|STORM|${randomUUID()}`,
        title: "ERP postings failing with TAX_CODE_MISSING on STORM",
        firstSeen: new Date(made + SECOND),
        lastSeen: new Date(made + 3 * SECOND),
      })
      .returning();
    const members = [];
    for (const offset of [1, 2, 3]) {
      const x = await exception({
        severity: "high",
        entity: "STORM",
        openedAt: new Date(made + offset * SECOND),
      });
      await t.db
        .update(exceptions)
        .set({ incidentId: incident!.id })
        .where(eq(exceptions.id, x.id));
      members.push(x);
    }
    const alone = await exception({
      type: "invoice_disputed",
      severity: "critical",
      entity: "STORM",
      openedAt: new Date(made + SECOND),
    });

    await evaluateAlerts(t.db, new Date(made + 4 * SECOND));
    const dimension = `incident: ${incident!.title} (${incident!.id})`;
    expect(await alertStatesOf(t.db, rule.id)).toEqual(
      [
        { dimension, state: "firing", value: null },
        { dimension: `invoice_disputed: ${alone.problemKey}`, state: "firing", value: null },
      ].sort((a, b) => a.dimension.localeCompare(b.dimension)),
    );

    // One member closing leaves the incident's alert firing; all of them closing resolves it.
    const close = (id: string) =>
      t.db
        .update(exceptions)
        .set({ status: "resolved", closedAt: new Date(made + 5 * SECOND) })
        .where(eq(exceptions.id, id));
    await close(members[0]!.id);
    await evaluateAlerts(t.db, new Date(made + 6 * SECOND));
    expect((await alertStatesOf(t.db, rule.id)).find((a) => a.dimension === dimension)!.state).toBe(
      "firing",
    );
    for (const m of members.slice(1)) await close(m.id);
    await evaluateAlerts(t.db, new Date(made + 7 * SECOND));
    expect((await alertStatesOf(t.db, rule.id)).find((a) => a.dimension === dimension)!.state).toBe(
      "resolved",
    );
  });
});

describe("an SLA breach", () => {
  it("counts open exceptions past their type's SLA, per entity, as the SLA settings say", async () => {
    const now = Date.now();
    const type = "reconciliation_break";
    // SLA-A: 73 h open (past the default 72 h breach) and 71 h open (not yet).
    await exception({
      type,
      severity: "low",
      entity: "SLA-A",
      openedAt: new Date(now - 73 * HOUR),
    });
    await exception({
      type,
      severity: "low",
      entity: "SLA-A",
      openedAt: new Date(now - 71 * HOUR),
    });
    // SLA-B: 100 h old but resolved: not open, not a breach. SLA-C: 100 h, another type.
    await exception({
      type,
      severity: "low",
      entity: "SLA-B",
      openedAt: new Date(now - 100 * HOUR),
      status: "resolved",
    });
    await exception({
      type: "usage_incomplete",
      severity: "low",
      entity: "SLA-C",
      openedAt: new Date(now - 100 * HOUR),
    });
    const rule = await conditionRule(
      "Breaks past SLA",
      { kind: "exceptions", trigger: "sla_breach", type },
      "*",
    );
    await evaluateAlerts(t.db, new Date(now));
    const sla = async () =>
      (await alertStatesOf(t.db, rule.id)).filter((a) => a.dimension.startsWith("SLA-"));
    // One breach at SLA-A; atLeast defaults to 1.
    expect(await sla()).toEqual([{ dimension: "SLA-A", state: "firing", value: 1 }]);

    // With a 70 h breach target, the 71 h one breaches too: 2.
    await saveSlaPolicy(t.db, { [type]: { warningHours: 24, breachHours: 70 } }, ADMIN_ACTOR);
    await evaluateAlerts(t.db, new Date(now + SECOND));
    const [a] = await t.db.select().from(alerts).where(eq(alerts.ruleId, rule.id));
    expect(a).toMatchObject({ dimension: "SLA-A", state: "firing", value: 2, threshold: 1 });
  });
});

describe("the exception conditions' contract", () => {
  it("reads a rule without a trigger as an open count, and refuses a bad severity", () => {
    expect(
      AlertCondition.parse({ kind: "exceptions", type: "erp_posting_failed", atLeast: 2 }),
    ).toEqual({
      kind: "exceptions",
      trigger: "open_count",
      type: "erp_posting_failed",
      atLeast: 2,
    });
    expect(AlertCondition.parse({ kind: "exceptions", trigger: "new", severity: "high" })).toEqual({
      kind: "exceptions",
      trigger: "new",
      type: null,
      severity: "high",
    });
    for (const bad of [
      { kind: "exceptions", trigger: "new", severity: "urgent" },
      { kind: "exceptions", trigger: "new" },
      { kind: "exceptions", trigger: "sla_breach", atLeast: 0 },
      { kind: "exceptions", trigger: "open_count", atLeast: 2 },
      { kind: "exceptions", trigger: "amount", type: "erp_posting_failed" },
    ]) {
      expect(AlertCondition.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});
