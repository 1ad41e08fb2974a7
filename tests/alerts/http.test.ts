import { randomUUID } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import {
  handleAcknowledge,
  handleAlertDeliveries,
  handleAlertCounts,
  handleAlertList,
  handleChannelCollection,
  handleChannelItem,
  handleRuleCollection,
  handleRuleItem,
  handleSilenceCollection,
  handleSilenceItem,
} from "@/lib/alerts/http";
import { evaluateAlerts } from "@/lib/alerts/evaluate";
import { ingest } from "../kpi/support";
import { RULE, alertApiSuite, webhook, type Body } from "./api";
import { postings } from "./support";

/*
 * The alert API's rules, alerts and silences through the handlers its routes use, as users
 * of each role: who may write rules, who may acknowledge and silence, the error shape, and
 * If-Match and Idempotency-Key on every write. Channels: http-channels.test.ts.
 */

const { t, users, as, call } = alertApiSuite();

vi.mock("next-auth", async () => (await import("../support/signed-in")).withSession());
vi.mock("@/db", async () => (await import("../support/signed-in")).withDb(() => t.db));

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
    expect(created.body).toMatchObject({ ...RULE, ownerId: users.finance!.id });
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

describe("silences and the firing count", () => {
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
