import { describe, expect, it, vi } from "vitest";
import {
  handleChannelCollection,
  handleChannelItem,
  handleRuleBacktest,
  handleRuleCollection,
  handleRuleItem,
} from "@/lib/alerts/http";
import { RULE, alertApiSuite, webhook } from "./api";
import { LAG_UP_HALF } from "./support";

/*
 * The alert API's channels through the handlers its routes use, as users of each role: who
 * may write them, the webhook channel's secret returned once, routing keys never returned,
 * delivery settings, and the newer rule conditions. Rules and alerts: http.test.ts.
 */

const { t, as, call, postChannel } = alertApiSuite();

vi.mock("next-auth", async () => (await import("../support/signed-in")).withSession());
vi.mock("@/db", async () => (await import("../support/signed-in")).withDb(() => t.db));

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
        given: LAG_UP_HALF,
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

describe("a channel's delivery settings", () => {
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
