import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { getIncidentSummary } from "@/db/queries/incidents";
import { assignIncidents, INCIDENT_WINDOW_MS } from "@/lib/exceptions/incidents";
import { requestIncidentRetry } from "@/lib/exceptions/incident-view";
import { resolveException } from "@/lib/exceptions/workflow";
import { SYSTEM_ACTOR } from "@/lib/audit";
import { makeEndpoint } from "../outbox/support";
import {
  HOUR,
  asActor,
  failedPosting,
  ingest,
  iso,
  reconResult,
  theException,
  unique,
  operatorSuite,
} from "./support";

/*
 * Exceptions that share a cause are one incident: a posting error code from one system for
 * one entity within the window, one source's incomplete windows, one run's breaks. Events go
 * through the real ingestion, so grouping is tested as detection does it.
 */

const { t, users } = operatorSuite();
beforeAll(async () => {
  // A retry is a command to the ERP connector; without a receiver it is refused.
  await makeEndpoint(t.db, "https://erp.example.test/closeline", ["erp.posting.retry"]);
});

const BASE = Date.parse("2025-03-01T06:00:00Z");

async function incidentOf(posting: string) {
  const x = await theException(t.db, "erp_posting_failed", posting);
  expect(x.incidentId, `incident of ${posting}`).not.toBeNull();
  return x.incidentId!;
}

describe("grouping", () => {
  it("puts the same code from the same system and entity within the window in one incident", async () => {
    const cause = { entity: unique("ENT"), code: unique("TAX"), system: "/erp/netsuite" };
    const a = failedPosting({ ...cause, at: BASE });
    const b = failedPosting({ ...cause, at: BASE + 5 * HOUR });
    const c = failedPosting({ ...cause, at: BASE + 5 * HOUR + INCIDENT_WINDOW_MS - 60_000 });
    await ingest(t.db, a.events, b.events);
    await ingest(t.db, c.events);
    const incident = await incidentOf(a.posting);
    expect(await incidentOf(b.posting)).toBe(incident);
    expect(await incidentOf(c.posting)).toBe(incident);
    const summary = await getIncidentSummary(t.db, incident);
    expect(summary).toMatchObject({
      kind: "erp_posting_failed",
      memberCount: 3,
      openCount: 3,
      retryableCount: 3,
      entities: [cause.entity],
      customerCount: 3,
      amounts: [{ currency: "USD", amountMinor: 375_000, members: 3 }],
      unknownAmountCount: 0,
      firstSeen: new Date(BASE),
      lastSeen: new Date(BASE + 5 * HOUR + INCIDENT_WINDOW_MS - 60_000),
    });
    expect(summary?.title).toContain(cause.code);
  });

  it("starts a second incident for the same cause outside the window", async () => {
    const cause = { entity: unique("ENT"), code: unique("TAX"), system: "/erp/netsuite" };
    const a = failedPosting({ ...cause, at: BASE });
    const b = failedPosting({ ...cause, at: BASE + INCIDENT_WINDOW_MS + HOUR });
    await ingest(t.db, a.events);
    await ingest(t.db, b.events);
    expect(await incidentOf(a.posting)).not.toBe(await incidentOf(b.posting));
  });

  it("keeps different entities, systems and codes apart", async () => {
    const cause = { entity: unique("ENT"), code: unique("TAX"), system: "/erp/netsuite" };
    const base = failedPosting({ ...cause, at: BASE });
    const otherEntity = failedPosting({ ...cause, entity: unique("ENT"), at: BASE + HOUR });
    const otherSystem = failedPosting({ ...cause, system: "/erp/sap", at: BASE + HOUR });
    const otherCode = failedPosting({ ...cause, code: unique("GL"), at: BASE + HOUR });
    await ingest(t.db, [
      ...base.events,
      ...otherEntity.events,
      ...otherSystem.events,
      ...otherCode.events,
    ]);
    const ids = await Promise.all(
      [base, otherEntity, otherSystem, otherCode].map((p) => incidentOf(p.posting)),
    );
    expect(new Set(ids).size).toBe(4);
  });

  it("makes one reconciliation run's breaks one incident, whatever their times", async () => {
    const run = unique("run");
    await ingest(t.db, [reconResult(run, "cus_a", 10_000, 20_000, iso(BASE))]);
    await ingest(t.db, [
      reconResult(run, "cus_b", 10_000, 40_000, iso(BASE + 3 * INCIDENT_WINDOW_MS)),
    ]);
    const a = await theException(t.db, "reconciliation_break", `${run}/cus_a`);
    const b = await theException(t.db, "reconciliation_break", `${run}/cus_b`);
    expect(a.incidentId).not.toBeNull();
    expect(b.incidentId).toBe(a.incidentId);
    expect(await getIncidentSummary(t.db, a.incidentId!)).toMatchObject({
      memberCount: 2,
      amounts: [{ currency: "USD", amountMinor: 40_000, members: 2 }],
      retryableCount: 0,
    });
  });

  it("gives concurrent batches about one cause one incident", async () => {
    const cause = { entity: unique("ENT"), code: unique("TAX"), system: "/erp/netsuite" };
    const batches = Array.from({ length: 6 }, (_, i) =>
      failedPosting({ ...cause, at: BASE + i * 60_000 }),
    );
    await Promise.all(batches.map((b) => ingest(t.db, b.events)));
    const ids = await Promise.all(batches.map((b) => incidentOf(b.posting)));
    expect(new Set(ids).size).toBe(1);
    expect(await assignIncidents(t.db)).toBe(0);
  });
});

describe("resolution and retry", () => {
  it("resolves when every member is resolved or dismissed, and reopens with a new member", async () => {
    const cause = { entity: unique("ENT"), code: unique("TAX"), system: "/erp/netsuite" };
    const a = failedPosting({ ...cause, at: BASE });
    const b = failedPosting({ ...cause, at: BASE + HOUR });
    await ingest(t.db, [...a.events, ...b.events]);
    const incident = await incidentOf(a.posting);
    const ops = asActor(users.ops);
    for (const p of [a, b]) {
      const x = await theException(t.db, "erp_posting_failed", p.posting);
      expect((await getIncidentSummary(t.db, incident))?.openCount).toBeGreaterThan(0);
      await resolveException(t.db, ops, {
        id: x.id,
        version: x.version,
        code: "fixed_in_source",
        note: "tax code added",
      });
    }
    expect(await getIncidentSummary(t.db, incident)).toMatchObject({ openCount: 0 });
    // The same cause after resolution is a new incident, not a reopened one.
    const later = failedPosting({ ...cause, at: BASE + 2 * HOUR });
    await ingest(t.db, later.events);
    expect(await incidentOf(later.posting)).not.toBe(incident);
  });

  it("retries every retryable member once, with a result for each", async () => {
    const cause = { entity: unique("ENT"), code: unique("TAX"), system: "/erp/netsuite" };
    const postings = [0, 1, 2].map((i) => failedPosting({ ...cause, at: BASE + i * HOUR }));
    await ingest(
      t.db,
      postings.flatMap((p) => p.events),
    );
    const incident = await incidentOf(postings[0]!.posting);
    const by = { userId: users.ops.id, actor: SYSTEM_ACTOR };
    const first = await requestIncidentRetry(t.db, incident, by);
    expect(first.map((r) => r.outcome)).toEqual(["requested", "requested", "requested"]);
    const again = await requestIncidentRetry(t.db, incident, by);
    expect(again.map((r) => r.outcome)).toEqual([
      "already_requested",
      "already_requested",
      "already_requested",
    ]);
    const commands = await t.db.execute(
      sql`select count(*)::int as n from outbox_commands c
          join exceptions x on x.id = c.exception_id where x.incident_id = ${incident}::uuid`,
    );
    const rows = Array.isArray(commands) ? commands : (commands as { rows: unknown[] }).rows;
    expect(rows).toEqual([{ n: 3 }]);
  });
});
