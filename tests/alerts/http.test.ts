import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { Role } from "@/db/schema";
import { SYSTEM_ACTOR } from "@/lib/audit";
import {
  handleAcknowledge,
  handleAlertDeliveries,
  handleAlertCounts,
  handleAlertList,
  handleChannelCollection,
  handleChannelItem,
  handleRuleCollection,
  handleRuleBacktest,
  handleRuleItem,
  handleSilenceCollection,
  handleSilenceItem,
} from "@/lib/alerts/http";
import { evaluateAlerts } from "@/lib/alerts/evaluate";
import { createUser } from "@/lib/auth/users";
import { type TestDb, testDbForSuite } from "../support/db";
import { ingest } from "../kpi/support";
import { FIRST_PASS_BELOW_90, postings } from "./support";

/*
 * The alert API through the handlers its routes use, as users of each role: who may write
 * rules and channels, who may acknowledge, the error shape, and the webhook channel's secret
 * returned once. Outside Next.js there is no session cookie, so the session lookup is
 * answered with the user the test signs in as, read from this test's database.
 */

const t = testDbForSuite();
let signedIn: { id: string; sessionVersion: number } | null = null;

vi.mock("next-auth", async (importOriginal) => ({
  ...(await importOriginal<Record<string, unknown>>()),
  getServerSession: async () => (signedIn ? { user: signedIn } : null),
}));
vi.mock("@/db", async (importOriginal) => ({
  ...(await importOriginal<Record<string, unknown>>()),
  getDb: async () => t.db,
}));

const users: Partial<Record<Role, string>> = {};

beforeAll(async () => {
  for (const role of ["executive", "operations", "finance", "admin"] as const) {
    const user = await createUser(
      t.db,
      { email: `${role}-${randomUUID().slice(0, 8)}@example.test`, name: `The ${role}`, role },
      SYSTEM_ACTOR,
    );
    users[role] = user.id;
  }
});

function as(role: Role | null) {
  signedIn = role ? { id: users[role]!, sessionVersion: 0 } : null;
}

async function call(
  handler: (db: TestDb["db"], request: Request, id: string) => Promise<Response>,
  method: string,
  path: string,
  body?: unknown,
  id = "",
  headers: Record<string, string> = {},
) {
  const request = new Request(`http://closeline.test${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const response = await handler(t.db, request, id);
  const text = await response.text();
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as Body) : null,
    etag: response.headers.get("etag"),
    replayed: response.headers.get("idempotent-replayed") === "true",
  };
}

// The answers are read loosely: each assertion names the field it checks.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers under test
type Body = Record<string, any>;

const webhook = (name: string, url: string) => ({ kind: "webhook", name, url });
const postChannel = (body: unknown) =>
  call(handleChannelCollection, "POST", "/api/v1/alert-channels", body);

const RULE = {
  name: "First pass below 90 %",
  severity: "critical",
  condition: FIRST_PASS_BELOW_90,
  entity: null,
  for: "PT0S",
};

describe("alert channels", () => {
  it("refuses an e-mail channel with a 400 naming SMTP_URL on an install that has none", async () => {
    as("admin");
    const refused = await call(handleChannelCollection, "POST", "/api/v1/alert-channels", {
      kind: "email",
      name: "Finance on-call",
      to: ["finance-oncall@example.test"],
    });
    expect(refused.status).toBe(400);
    expect(refused.body!.error.message).toContain("SMTP_URL");
  });

  it("creates a webhook channel, returning its secret once, for finance and admin only", async () => {
    as(null);
    const anonymous = await postChannel({});
    expect(anonymous.status).toBe(401);
    as("operations");
    const forbidden = await postChannel(webhook("ops", "https://hooks.example.test/a"));
    expect(forbidden.status).toBe(403);
    expect(forbidden.body!.error.code).toBeTypeOf("string");

    as("admin");
    const bad = await postChannel(webhook("x", "ftp://nope"));
    expect(bad.status).toBe(400);
    expect(bad.body!.error).toMatchObject({
      code: expect.any(String),
      message: expect.any(String),
    });

    const created = await postChannel(webhook("PagerBridge", "https://hooks.example.test/a"));
    expect(created.status).toBe(201);
    expect(created.body!.secret).toMatch(/^whsec_/);
    const id = created.body!.id as string;

    const listed = await call(handleChannelCollection, "GET", "/api/v1/alert-channels");
    expect(JSON.stringify(listed.body)).not.toContain(created.body!.secret);
    const one = await call(handleChannelItem, "GET", `/api/v1/alert-channels/${id}`, undefined, id);
    expect(one.body).not.toHaveProperty("secret");

    const renamed = await call(handleChannelItem, "PATCH", "", { name: "Bridge" }, id);
    expect(renamed.body).toMatchObject({
      name: "Bridge",
      config: { url: "https://hooks.example.test/a" },
    });
    const kindChange = await call(handleChannelItem, "PATCH", "", { kind: "slack" }, id);
    expect(kindChange.status).toBe(400);

    expect((await call(handleChannelItem, "DELETE", "", undefined, id)).status).toBe(204);
    expect((await call(handleChannelItem, "DELETE", "", undefined, id)).status).toBe(404);
    expect((await call(handleChannelItem, "GET", "", undefined, "not-a-uuid")).status).toBe(404);
  });
});

describe("alert rules and alerts", () => {
  it("lets finance write rules, everyone with alerts read them, and operations acknowledge", async () => {
    as("executive");
    expect((await call(handleRuleCollection, "POST", "", RULE)).status).toBe(403);
    as("finance");
    const invalid = await call(handleRuleCollection, "POST", "", { ...RULE, for: "ten minutes" });
    expect(invalid.status).toBe(400);
    expect(invalid.body!.error.details.join(" ")).toContain("for");
    const created = await call(handleRuleCollection, "POST", "", RULE);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ...RULE, ownerId: users.finance });
    const id = created.body!.id as string;

    const patched = await call(handleRuleItem, "PATCH", "", { for: "PT5M" }, id);
    expect(patched.body).toMatchObject({ for: "PT5M", name: RULE.name });
    await call(handleRuleItem, "PATCH", "", { for: "PT0S" }, id);

    as("executive");
    const list = await call(handleRuleCollection, "GET", "/api/v1/alert-rules");
    expect(list.body!.data.map((r: { id: string }) => r.id)).toContain(id);

    await ingest(t.db, postings(2, "failed", new Date()));
    await evaluateAlerts(t.db);
    const firing = await call(handleAlertList, "GET", "/api/v1/alerts?state=firing");
    expect(firing.status).toBe(200);
    const alert = firing.body!.data.find((a: { ruleId: string }) => a.ruleId === id);
    expect(alert).toMatchObject({ state: "firing", ruleName: RULE.name, value: 0 });
    expect((await call(handleAlertList, "GET", "/api/v1/alerts?state=nope")).status).toBe(400);

    expect((await call(handleAcknowledge, "POST", "", { comment: "on it" }, alert.id)).status).toBe(
      403,
    );
    as("operations");
    expect((await call(handleAcknowledge, "POST", "", {}, alert.id)).status).toBe(400);
    expect((await call(handleAcknowledge, "POST", "", { comment: "on it" }, alert.id)).status).toBe(
      204,
    );
    expect((await call(handleAcknowledge, "POST", "", { comment: "again" }, alert.id)).status).toBe(
      409,
    );
    const after = await call(handleAlertList, "GET", "/api/v1/alerts?state=firing");
    expect(after.body!.data.find((a: { id: string }) => a.id === alert.id)).toMatchObject({
      acknowledgeComment: "on it",
      acknowledgedByName: "The operations",
    });
    // Its delivery log is readable by whoever reads alerts (this rule has no channel: empty).
    as("executive");
    const log = await call(handleAlertDeliveries, "GET", "", undefined, alert.id);
    expect(log).toMatchObject({ status: 200, body: { alertId: alert.id, data: [] } });
    const unknown = await call(handleAlertDeliveries, "GET", "", undefined, randomUUID());
    expect(unknown.status).toBe(404);

    as("operations");
    expect((await call(handleRuleItem, "DELETE", "", undefined, id)).status).toBe(403);
    as("admin");
    expect((await call(handleRuleItem, "DELETE", "", undefined, id)).status).toBe(204);
    expect((await call(handleRuleItem, "GET", "", undefined, id)).status).toBe(404);
  });
});

describe("the newer channel kinds and conditions through the API", () => {
  it("creates Teams and PagerDuty channels, never answering with the routing key", async () => {
    as("admin");
    const teams = await postChannel({
      kind: "teams",
      name: "Finance ops",
      url: "https://prod-00.westeurope.logic.azure.com/workflows/x",
    });
    expect(teams.status).toBe(201);
    expect(teams.body).toMatchObject({ kind: "teams" });
    expect(teams.body).not.toHaveProperty("secret");
    const routingKey = "R0uting0Key0For0HttpTests0000000";
    const pagerduty = await postChannel({ kind: "pagerduty", name: "On-call", routingKey });
    expect(pagerduty.status).toBe(201);
    expect(pagerduty.body).toMatchObject({
      kind: "pagerduty",
      config: { url: "https://events.pagerduty.com/v2/enqueue" },
    });
    expect(pagerduty.body).not.toHaveProperty("secret");
    expect(JSON.stringify(pagerduty.body)).not.toContain(routingKey);
    const listed = await call(handleChannelCollection, "GET", "/api/v1/alert-channels");
    expect(JSON.stringify(listed.body)).not.toContain(routingKey);
    const badKey = await postChannel({ kind: "pagerduty", name: "x", routingKey: "short" });
    expect(badKey.status).toBe(400);
    expect(badKey.body!.error.message).toContain("routingKey");
  });

  it("accepts kpi_change, close and the exception triggers, with their defaults filled in", async () => {
    as("finance");
    const conditions = [
      {
        given: {
          kind: "kpi_change",
          metric: "eventLag.p95Ms",
          unit: "percent",
          op: ">",
          value: 50,
          window: "P1D",
        },
        stored: { kind: "kpi_change", unit: "percent", value: 50 },
      },
      { given: { kind: "close", withinDays: 2 }, stored: { kind: "close", withinDays: 2 } },
      {
        given: { kind: "exceptions", trigger: "new", severity: "high" },
        stored: { trigger: "new", type: null, severity: "high" },
      },
      {
        given: { kind: "exceptions", trigger: "sla_breach" },
        stored: { trigger: "sla_breach", type: null, atLeast: 1 },
      },
    ];
    for (const { given, stored } of conditions) {
      const created = await call(handleRuleCollection, "POST", "", {
        name: `Rule ${given.kind}`,
        condition: given,
      });
      expect(created.status, JSON.stringify(given)).toBe(201);
      expect(created.body!.condition).toMatchObject(stored);
      as("admin");
      await call(handleRuleItem, "DELETE", "", undefined, created.body!.id as string);
      as("finance");
    }
    const bad = await call(handleRuleCollection, "POST", "", {
      name: "Bad close",
      condition: { kind: "close", withinDays: -1 },
    });
    expect(bad.status).toBe(400);
  });
});

describe("silences, the firing count and a channel's delivery settings", () => {
  it("lets operations silence and lift, executives only read, and counts what fires", async () => {
    as("finance");
    const rule = await call(handleRuleCollection, "POST", "", { ...RULE, name: "Silenced rule" });
    const ruleId = rule.body!.id as string;
    const before = await call(handleAlertCounts, "GET", "/api/v1/alerts/counts");
    expect(before.status).toBe(200);
    await ingest(t.db, postings(2, "failed", new Date()));
    await evaluateAlerts(t.db);
    const counted = await call(handleAlertCounts, "GET", "/api/v1/alerts/counts");
    // This rule's alert is one more firing, and nobody has acknowledged it.
    expect(counted.body!.firing).toBe(before.body!.firing + 1);
    expect(counted.body!.unacknowledged).toBe(before.body!.unacknowledged + 1);

    const until = new Date(Date.now() + 3_600_000).toISOString();
    const body = { ruleId, until, comment: "vendor maintenance" };
    as(null);
    expect((await call(handleSilenceCollection, "POST", "", body)).status).toBe(401);
    as("executive");
    expect((await call(handleSilenceCollection, "POST", "", body)).status).toBe(403);
    as("operations");
    const past = await call(handleSilenceCollection, "POST", "", {
      ...body,
      until: "2020-01-01T00:00:00Z",
    });
    expect(past.status).toBe(400);
    expect(past.body!.error.details.join(" ")).toContain("until");
    const unknownRule = await call(handleSilenceCollection, "POST", "", {
      ...body,
      ruleId: randomUUID(),
    });
    expect(unknownRule.status).toBe(404);
    const created = await call(handleSilenceCollection, "POST", "", body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      ruleId,
      ruleName: "Silenced rule",
      dimension: null,
      comment: "vendor maintenance",
      createdByName: "The operations",
    });
    const id = created.body!.id as string;

    as("executive");
    const listed = await call(handleSilenceCollection, "GET", "/api/v1/alert-silences");
    expect(listed.body!.data.map((s: { id: string }) => s.id)).toContain(id);
    const alerts = await call(handleAlertList, "GET", "/api/v1/alerts?state=firing");
    const silenced = alerts.body!.data.find((a: { ruleId: string }) => a.ruleId === ruleId);
    expect(Date.parse(silenced.silencedUntil)).toBe(Date.parse(until));
    expect((await call(handleSilenceItem, "DELETE", "", undefined, id)).status).toBe(403);

    as("operations");
    expect((await call(handleSilenceItem, "DELETE", "", undefined, id)).status).toBe(204);
    expect((await call(handleSilenceItem, "DELETE", "", undefined, id)).status).toBe(404);
    const lifted = await call(handleSilenceItem, "GET", "", undefined, id);
    expect(lifted.body!.liftedAt).not.toBeNull();
    expect((await call(handleSilenceItem, "GET", "", undefined, "nope")).status).toBe(404);
    as("admin");
    await call(handleRuleItem, "DELETE", "", undefined, ruleId);
  });

  it("keeps a channel's quiet hours and group window, and refuses wrong ones", async () => {
    as("admin");
    const quietHours = {
      start: "22:00",
      end: "07:00",
      timeZone: "Europe/Berlin",
      criticalBypass: true,
    };
    const created = await postChannel({
      ...webhook("Night desk", "https://hooks.example.test/n"),
      quietHours,
      groupWindow: "PT1M",
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ quietHours, groupWindow: "PT1M" });
    const id = created.body!.id as string;
    const badZone = await call(
      handleChannelItem,
      "PATCH",
      "",
      { quietHours: { ...quietHours, timeZone: "Mars/Olympus" } },
      id,
    );
    expect(badZone.status).toBe(400);
    const badWindow = await call(handleChannelItem, "PATCH", "", { groupWindow: "PT2H" }, id);
    expect(badWindow.status).toBe(400);
    const renamed = await call(handleChannelItem, "PATCH", "", { name: "Night desk 2" }, id);
    expect(renamed.body).toMatchObject({ quietHours, groupWindow: "PT1M" });
    const cleared = await call(
      handleChannelItem,
      "PATCH",
      "",
      { quietHours: null, groupWindow: null },
      id,
    );
    expect(cleared.body).toMatchObject({ quietHours: null, groupWindow: null });
    const backtest = await call(handleRuleBacktest, "POST", "", RULE);
    expect(backtest.status).toBe(200);
    expect(backtest.body).toMatchObject({ step: "PT6H", readings: 120 });
    as("operations");
    expect((await call(handleRuleBacktest, "POST", "", RULE)).status).toBe(403);
    as("admin");
    const repeat = await call(handleRuleCollection, "POST", "", { ...RULE, repeat: "PT30S" });
    expect(repeat.status).toBe(400);
    const repeating = await call(handleRuleCollection, "POST", "", { ...RULE, repeat: "PT4H" });
    expect(repeating.body).toMatchObject({ repeat: "PT4H" });
    await call(handleRuleItem, "DELETE", "", undefined, repeating.body!.id as string);
  });
});

describe("If-Match and Idempotency-Key on the alert API", () => {
  const key = () => `key-${randomUUID()}`;
  const stale = (response: { status: number; body: Body | null }, current: number) => {
    expect(response.status).toBe(412);
    expect(response.body!.error).toMatchObject({
      code: "precondition_failed",
      details: { currentVersion: current },
    });
  };

  it("creates a rule once per key, and changes or deletes it only at the version named", async () => {
    as("finance");
    const k = key();
    const rule = { ...RULE, name: `Versioned ${randomUUID()}` };
    const created = await call(handleRuleCollection, "POST", "", rule, "", {
      "idempotency-key": k,
    });
    expect(created).toMatchObject({ status: 201, etag: '"1"', replayed: false });
    const again = await call(handleRuleCollection, "POST", "", rule, "", { "idempotency-key": k });
    expect(again).toMatchObject({ status: 201, replayed: true });
    expect(again.body!.id).toBe(created.body!.id);
    const listed = await call(handleRuleCollection, "GET", "/api/v1/alert-rules");
    expect(listed.body!.data.filter((r: { name: string }) => r.name === rule.name)).toHaveLength(1);
    const other = await call(handleRuleCollection, "POST", "", { ...rule, name: "x" }, "", {
      "idempotency-key": k,
    });
    expect(other.status).toBe(422);

    const id = created.body!.id as string;
    expect((await call(handleRuleItem, "GET", "", undefined, id)).etag).toBe('"1"');
    const patched = await call(handleRuleItem, "PATCH", "", { for: "PT5M" }, id, {
      "if-match": '"1"',
    });
    expect(patched).toMatchObject({ status: 200, etag: '"2"', body: { version: 2, for: "PT5M" } });
    stale(await call(handleRuleItem, "PATCH", "", { for: "PT1M" }, id, { "if-match": '"1"' }), 2);
    expect((await call(handleRuleItem, "GET", "", undefined, id)).body).toMatchObject({
      for: "PT5M",
    });
    stale(await call(handleRuleItem, "DELETE", "", undefined, id, { "if-match": '"1"' }), 2);
    const bad = await call(handleRuleItem, "DELETE", "", undefined, id, { "if-match": "soon" });
    expect(bad.status).toBe(400);
    expect(
      (await call(handleRuleItem, "DELETE", "", undefined, id, { "if-match": '"2"' })).status,
    ).toBe(204);
  });

  it("holds channels and silences to If-Match, and acknowledges an alert once per key", async () => {
    as("admin");
    const channel = await call(
      handleChannelCollection,
      "POST",
      "",
      webhook("Versioned", "https://hooks.example.test/v"),
      "",
      {
        "idempotency-key": key(),
      },
    );
    expect(channel).toMatchObject({ status: 201, etag: '"1"' });
    const channelId = channel.body!.id as string;
    const renamed = await call(handleChannelItem, "PATCH", "", { name: "Versioned 2" }, channelId, {
      "if-match": '"1"',
    });
    expect(renamed.etag).toBe('"2"');
    stale(
      await call(handleChannelItem, "DELETE", "", undefined, channelId, { "if-match": '"1"' }),
      2,
    );
    expect((await call(handleChannelItem, "GET", "", undefined, channelId)).body!.active).toBe(
      true,
    );
    expect(
      (await call(handleChannelItem, "DELETE", "", undefined, channelId, { "if-match": '"2"' }))
        .status,
    ).toBe(204);

    const entity = `IFM-${randomUUID().slice(0, 6)}`;
    const rule = await call(handleRuleCollection, "POST", "", { ...RULE, entity });
    await ingest(t.db, postings(2, "failed", new Date(), entity));
    await evaluateAlerts(t.db);
    const firing = await call(handleAlertList, "GET", "/api/v1/alerts?state=firing");
    const alert = firing.body!.data.find((a: { ruleId: string }) => a.ruleId === rule.body!.id);
    // Pending, then firing: its second version.
    expect(alert.version).toBe(2);

    const silenceKey = key();
    const silenceBody = {
      ruleId: rule.body!.id,
      until: new Date(Date.now() + 3_600_000).toISOString(),
      comment: "maintenance",
    };
    const silence = await call(handleSilenceCollection, "POST", "", silenceBody, "", {
      "idempotency-key": silenceKey,
    });
    const replayed = await call(handleSilenceCollection, "POST", "", silenceBody, "", {
      "idempotency-key": silenceKey,
    });
    expect(replayed).toMatchObject({ status: 201, replayed: true, body: { id: silence.body!.id } });
    const silenceId = silence.body!.id as string;
    stale(
      await call(handleSilenceItem, "DELETE", "", undefined, silenceId, { "if-match": '"7"' }),
      1,
    );
    expect(
      (await call(handleSilenceItem, "DELETE", "", undefined, silenceId, { "if-match": '"1"' }))
        .status,
    ).toBe(204);

    as("operations");
    const ack = { comment: "on it" };
    stale(await call(handleAcknowledge, "POST", "", ack, alert.id, { "if-match": '"1"' }), 2);
    const k = key();
    const first = await call(handleAcknowledge, "POST", "", ack, alert.id, {
      "if-match": '"2"',
      "idempotency-key": k,
    });
    expect(first).toMatchObject({ status: 204, replayed: false });
    // The same request again: the first answer, not "acknowledged already".
    const repeat = await call(handleAcknowledge, "POST", "", ack, alert.id, {
      "if-match": '"2"',
      "idempotency-key": k,
    });
    expect(repeat).toMatchObject({ status: 204, replayed: true });
    expect((await call(handleAcknowledge, "POST", "", ack, alert.id)).status).toBe(409);
    const after = await call(handleAlertList, "GET", "/api/v1/alerts?state=firing");
    expect(after.body!.data.find((a: { id: string }) => a.id === alert.id).version).toBe(3);
  });
});
