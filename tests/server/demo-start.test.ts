import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "@/db/rows";
import { users } from "@/db/schema";
import { registerDemoIngestKey } from "@/lib/server/demo";
import { startClockedWork, type ClockedWork } from "@/lib/server/clocked-work";
import { demoEmail } from "@/lib/server/demo-users";
import { testDbForSuite } from "../support/db";

/*
 * A fresh demo as the server starts it (lib/server/startup.ts → startClockedWork): the history
 * replayed up to now, then the sweep and alert evaluation. Evaluation must not see the data
 * half loaded: by today's clock every source of a history that still ends days ago is quiet,
 * so the demo's quiet-source rule would fire, and the rest of the load resolve it.
 */

const DAY = 86_400_000;
const t = testDbForSuite();
let work: ClockedWork;

beforeAll(async () => {
  for (const role of ["operations", "finance", "executive"] as const) {
    await t.db
      .insert(users)
      .values({ email: demoEmail(role), name: `Demo ${role}`, role, passwordHash: "unused" });
  }
  const key = await registerDemoIngestKey(t.db, `cl_${randomBytes(32).toString("base64url")}`);
  const until = Math.floor(Date.now() / 60_000) * 60_000;
  work = startClockedWork(t.db, {
    demo: { seed: 42, since: until - 4 * DAY, until, apiKeyId: key.id },
    alertEvaluation: true,
    // Each ingested batch asks for an evaluation; with a short debounce, an evaluator already
    // running during the load would evaluate between its steps.
    alertLoop: { debounceMs: 10, baseUrl: "http://closeline.test" },
  });
  await work.live;
  // Stopping waits for the first round, which starts as soon as the history is in.
  await work.stop();
}, 600_000);

afterAll(async () => {
  await work?.stop();
});

describe("a fresh demo's start", () => {
  it("evaluates its rules once the history is in, and no quiet-source alert fires only to resolve", async () => {
    const rules = await queryRows<{ name: string; condition: { kind: string } }>(
      t.db,
      sql`select name, condition from alert_rules`,
    );
    expect(rules.some((r) => r.condition.kind === "silence")).toBe(true);
    const alerts = await queryRows<{ kind: string; state: string; dimension: string }>(
      t.db,
      sql`select r.condition->>'kind' as kind, a.state, a.dimension
          from alerts a join alert_rules r on r.id = a.rule_id`,
    );
    // The first evaluation ran: something of the demo's telemetry holds (demo-history.test.ts).
    expect(alerts.length).toBeGreaterThan(0);
    expect(alerts.filter((a) => a.kind === "silence" && a.state === "resolved")).toEqual([]);
  });
});
