import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "@/db/rows";
import { users } from "@/db/schema";
import { DEFAULT_SLA_TARGET } from "@/lib/exceptions/sla";
import { registerDemoEndpoint } from "@/lib/outbox/endpoints";
import { generateWebhookSecret } from "@/lib/outbox/signature";
import { registerDemoIngestKey } from "@/lib/server/demo";
import { replayDemoHistory, type HistorySummary } from "@/lib/server/demo-history";
import { computeCloseReadiness } from "@/lib/close/readiness";
import { periodFromKey } from "@/lib/close/period";
import { findOpsTeam, opsTeamTurn, setUpMateriality, type OpsTeam } from "@/lib/server/demo-ops";
import { ENTITIES } from "@/lib/simulator";
import { demoEmail } from "@/lib/server/demo-users";
import { DEMO_ALERT_RULES, setUpAlertRules } from "@/lib/server/demo-alerts";
import { evaluateAlerts } from "@/lib/alerts/evaluate";
import { listRules } from "@/lib/alerts/rules";
import { makeEvent, postEvents } from "../ingest/support";
import { testDbForSuite } from "../support/db";

/*
 * The demo's history as the server replays it (npm start): events stored as received when
 * they were delivered, not at start-up, and a team of demo users working the exceptions at
 * the simulated time through the workflow functions, audited as them. Three weeks of a
 * seeded company, up to a fixed moment, so every run replays the same story.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const SEED = 42;
// A Friday noon, two days after the month's billing-vs-ERP reconciliation.
const UNTIL = Date.parse("2026-11-06T12:00:00Z");
const SINCE = UNTIL - 21 * DAY;

const t = testDbForSuite();
let team: OpsTeam;
let summary: HistorySummary;
const startedAt = Date.now();

beforeAll(async () => {
  for (const role of ["operations", "finance", "executive"] as const) {
    await t.db
      .insert(users)
      .values({ email: demoEmail(role), name: `Demo ${role}`, role, passwordHash: "unused" });
  }
  team = (await findOpsTeam(t.db))!;
  // The simulated receiving systems, as npm start registers them: retries and corrections
  // leave through the outbox to them.
  await registerDemoEndpoint(t.db, "http://127.0.0.1:9/webhooks", generateWebhookSecret());
  await setUpMateriality(t.db, team);
  const key = await registerDemoIngestKey(t.db, `cl_${randomBytes(32).toString("base64url")}`);
  summary = await replayDemoHistory(t.db, {
    seed: SEED,
    since: SINCE,
    until: UNTIL,
    apiKeyId: key.id,
    team,
    log: () => {},
  });
}, 600_000);

const at = (ms: number) => new Date(ms).toISOString();
const SLA = sql.raw(`interval '${DEFAULT_SLA_TARGET.breachMs / 1000} seconds'`);

describe("the demo history replayed by the server", () => {
  it("stores each event as received when it was delivered, with a lag of minutes", async () => {
    expect(summary.events).toBeGreaterThan(5_000);
    const [lag] = await queryRows<{
      n: number;
      p50: number;
      p95: number;
      earliest: string;
      latest: string;
      negative: number;
    }>(
      t.db,
      sql`select count(*)::int as n,
            percentile_cont(0.5) within group (order by lag_ms) as p50,
            percentile_cont(0.95) within group (order by lag_ms) as p95,
            min(received_at)::text as earliest, max(received_at)::text as latest,
            count(*) filter (where lag_ms < 0)::int as negative
          from events`,
    );
    // Every simulated event, and the reruns of breaks the team fixed (one the simulated company
    // had planned anyway is the same event, stored once).
    expect(lag!.n).toBeGreaterThanOrEqual(summary.events);
    expect(lag!.n).toBeLessThanOrEqual(summary.events + summary.actions.reruns);
    expect(lag!.negative).toBe(0);
    expect(lag!.p50).toBeLessThan(5 * 60_000);
    expect(lag!.p95).toBeLessThan(HOUR);
    // Spread over the three weeks, none of it stamped with the time the test ran.
    expect(Date.parse(lag!.earliest)).toBeLessThan(SINCE + DAY);
    expect(Date.parse(lag!.latest)).toBeLessThan(UNTIL);
  });

  it("closes most exceptions within the SLA, most of them by people", async () => {
    const [x] = await queryRows<{
      closed: number;
      closed_in_sla: number;
      by_people: number;
      by_people_in_sla: number;
    }>(
      t.db,
      sql`select
            count(*) filter (where closed_at is not null)::int as closed,
            count(*) filter (where closed_at - opened_at <= ${SLA})::int as closed_in_sla,
            count(*) filter (where closed_by <> 'system')::int as by_people,
            count(*) filter (where closed_by <> 'system' and closed_at - opened_at <= ${SLA})::int
              as by_people_in_sla
          from exceptions`,
    );
    expect(x!.closed).toBeGreaterThan(20);
    expect(x!.closed_in_sla / x!.closed).toBeGreaterThan(0.9);
    expect(x!.by_people).toBeGreaterThan(10);
    expect(x!.by_people_in_sla / x!.by_people).toBeGreaterThan(0.9);
  });

  it("shows at any moment an open queue mostly within the SLA, and a few aged items", async () => {
    // The queue as it stood every six hours over the last two weeks of the history.
    const moments = await queryRows<{ at: string; open: number; breached: number }>(
      t.db,
      sql`select m.at::text, count(x.id)::int as open,
            count(x.id) filter (where m.at - x.opened_at > ${SLA})::int as breached
          from generate_series(${at(UNTIL - 14 * DAY)}::timestamptz, ${at(UNTIL)}::timestamptz,
            interval '6 hours') as m(at)
          left join exceptions x on x.opened_at <= m.at and (x.closed_at is null or x.closed_at > m.at)
          group by m.at order by m.at`,
    );
    expect(moments).toHaveLength(57);
    // A quiet month-middle has moments with nothing open at all; the month's start is busy.
    const withOpen = moments.filter((m) => m.open > 0);
    expect(withOpen.length).toBeGreaterThan(10);
    expect(Math.max(...moments.map((m) => m.open))).toBeGreaterThan(5);
    const share = withOpen.map((m) => m.breached / m.open);
    expect(share.reduce((a, b) => a + b, 0) / share.length).toBeLessThan(0.25);
    expect(moments.some((m) => m.breached > 0)).toBe(true);
  });

  it("records the team's work in the audit log as the demo users, at the simulated time", async () => {
    const rows = await queryRows<{ actor_label: string; action: string; n: number }>(
      t.db,
      sql`select actor_label, action, count(*)::int as n from audit_log
          where actor_type = 'user' group by 1, 2`,
    );
    const count = (role: "operations" | "finance", action: string) =>
      rows.find((r) => r.actor_label === demoEmail(role) && r.action === action)?.n ?? 0;
    expect(count("operations", "exception.started")).toBeGreaterThan(5);
    expect(count("operations", "exception.resolved")).toBeGreaterThan(5);
    expect(count("finance", "exception.started")).toBeGreaterThan(0);
    expect(rows.some((r) => r.actor_label === demoEmail("executive"))).toBe(false);

    // Each entry sits between the exception's opening and the end of the history.
    const [misplaced] = await queryRows<{ n: number; total: number }>(
      t.db,
      sql`select count(*) filter (where a.at < x.opened_at or a.at > ${at(UNTIL)}::timestamptz)::int as n,
            count(*)::int as total
          from audit_log a join exceptions x on x.id::text = a.target_id
          where a.actor_type = 'user' and a.action like 'exception.%'`,
    );
    expect(misplaced!.total).toBeGreaterThan(10);
    expect(misplaced!.n).toBe(0);
  });

  it("stamps what Closeline did at the simulated time too: no exception is worked before it is raised", async () => {
    const [order] = await queryRows<{ raised: number; worked_before: number }>(
      t.db,
      sql`select count(*)::int as raised,
            count(*) filter (where exists (
              select 1 from audit_log w
              where w.target_type = 'exception' and w.target_id = r.target_id
                and w.action <> 'exception.raised' and w.at < r.at))::int as worked_before
          from audit_log r where r.action = 'exception.raised'`,
    );
    expect(order!.raised).toBeGreaterThan(20);
    expect(order!.worked_before).toBe(0);
  });

  it("closes through the workflow: every closed-by-person exception has its audited action", async () => {
    const [x] = await queryRows<{ closed: number; audited: number }>(
      t.db,
      sql`select count(*)::int as closed,
            count(*) filter (where exists (
              select 1 from audit_log a
              where a.target_type = 'exception' and a.target_id = x.id::text
                and a.actor_id = x.closed_by and a.at = x.closed_at
                and a.action in ('exception.resolved', 'exception.dismissed')
                and a.after->>'status' = x.status
            ))::int as audited
          from exceptions x where x.closed_by is not null and x.closed_by <> 'system'`,
    );
    expect(x!.closed).toBeGreaterThan(10);
    expect(x!.audited).toBe(x!.closed);
  });

  it("leaves some entities ready to close the month and others blocked by real problems", async () => {
    const verdicts = await Promise.all(
      ENTITIES.map(async (e) => {
        const readiness = await computeCloseReadiness(t.db, {
          entity: e.code,
          period: periodFromKey("2026-10"),
          now: new Date(UNTIL),
        });
        return readiness.verdict;
      }),
    );
    expect(verdicts).toContain("go");
    expect(verdicts).toContain("no_go");
  });

  it("never names as a close blocker what the team has closed: their fixes reach the telemetry", async () => {
    const blockers: { check: string; ref: string; id: string }[] = [];
    for (const e of ENTITIES) {
      for (const period of ["2026-10", "2026-11"]) {
        const readiness = await computeCloseReadiness(t.db, {
          entity: e.code,
          period: periodFromKey(period),
          now: new Date(UNTIL),
        });
        for (const check of readiness.checks) {
          for (const b of check.blockers) {
            if (b.exceptionId) blockers.push({ check: check.key, ref: b.ref, id: b.exceptionId });
          }
        }
      }
    }
    expect(blockers.length, "some months are blocked by something").toBeGreaterThan(0);
    const closed = await queryRows<{ id: string; status: string; type: string }>(
      t.db,
      sql`select id, status, type from exceptions
          where status in ('resolved', 'dismissed') and id in ${sql`(${sql.join(
            blockers.map((b) => sql`${b.id}::uuid`),
            sql`, `,
          )})`}`,
    );
    expect(
      closed.map((x) => ({ ...x, blocker: blockers.find((b) => b.id === x.id) })),
      "blockers whose exception is already closed",
    ).toEqual([]);
  });

  it("sets up finance's alert rules once, and they find something in the demo without paging for everything", async () => {
    expect(await setUpAlertRules(t.db, team.finance)).toBe(DEMO_ALERT_RULES.length);
    expect(await setUpAlertRules(t.db, team.finance)).toBe(0);
    const rules = await listRules(t.db);
    expect(rules.map((r) => r.name).sort()).toEqual(DEMO_ALERT_RULES.map((r) => r.name).sort());
    expect(new Set(rules.map((r) => r.ownerId))).toEqual(new Set([team.finance.id]));
    const evaluated = await evaluateAlerts(t.db, new Date(UNTIL), {
      baseUrl: "http://closeline.test",
    });
    expect(evaluated?.rules).toBe(DEMO_ALERT_RULES.length);
    const states = await queryRows<{ rule: string; state: string }>(
      t.db,
      sql`select r.name as rule, a.state from alerts a join alert_rules r on r.id = a.rule_id`,
    );
    // A demo whose alerts all fire reads as an outage; one where none do shows nothing.
    const firingRules = new Set(states.filter((a) => a.state !== "resolved").map((a) => a.rule));
    expect(firingRules.size).toBeGreaterThan(0);
    expect(firingRules.size).toBeLessThan(DEMO_ALERT_RULES.length);
  });

  it("goes on live: retries failed postings and runs corrections maker-checker", async () => {
    // A live turn now, and one four hours on: finance decides what operations proposed.
    const first = await opsTeamTurn(t.db, team, { seed: SEED, now: new Date() });
    const second = await opsTeamTurn(t.db, team, {
      seed: SEED,
      now: new Date(Date.now() + 4 * HOUR),
    });
    expect(first.proposed).toBeGreaterThan(0);
    expect(first.retried).toBeGreaterThan(0);
    expect(second.approved).toBe(first.proposed);
    const retries = await queryRows<{ actor_label: string }>(
      t.db,
      sql`select a.actor_label from audit_log a join outbox_commands c on c.id::text = a.after->>'commandId'
          where a.action = 'exception.retry_requested' and c.kind = 'erp.posting.retry'`,
    );
    expect(retries.length).toBe(first.retried);
    for (const r of retries) expect(r.actor_label).toBe(demoEmail("operations"));
    const decisions = await queryRows<{ action: string; actor_label: string }>(
      t.db,
      sql`select action, actor_label from audit_log where action like 'correction.%'`,
    );
    expect(decisions.filter((d) => d.action === "correction.proposed")).not.toHaveLength(0);
    for (const d of decisions) {
      expect(d.actor_label).toBe(
        d.action === "correction.proposed" ? demoEmail("operations") : demoEmail("finance"),
      );
    }
    // Live actions are stamped now, not in the simulated past.
    const [live] = await queryRows<{ earliest: string }>(
      t.db,
      sql`select min(at)::text as earliest from audit_log where action like 'correction.%'`,
    );
    expect(Date.parse(live!.earliest)).toBeGreaterThanOrEqual(startedAt - 1_000);
  });
});

describe("received time through the public API", () => {
  it("is the server's clock, whatever a client (the demo key included) claims", async () => {
    const demoKey = `cl_${randomBytes(32).toString("base64url")}`;
    await registerDemoIngestKey(t.db, demoKey);
    const event = makeEvent("payment.received", {
      receivedat: "2020-01-01T00:00:00Z",
      receivedAt: "2020-01-01T00:00:00Z",
    });
    const before = Date.now();
    const answer = await postEvents(t.db, [event], { key: demoKey });
    expect(answer.status).toBe(200);
    const [row] = await queryRows<{ received_at: string }>(
      t.db,
      sql`select received_at::text from events where event_id = ${event.id}`,
    );
    expect(Date.parse(row!.received_at)).toBeGreaterThanOrEqual(before - 1_000);
  });
});
