import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { queryRows } from "@/db/rows";
import { ingestItems } from "@/lib/ingest/ingest";
import { runRetention } from "@/lib/retention";
import { testDbForSuite } from "../support/db";
import { makeEvent } from "../ingest/support";

/*
 * Retention: events received before now − the retention age go, with the
 * projection rows derived from them, batch by batch; younger ones stay untouched; and an
 * event that stays is still stored exactly once when its sender sends it again.
 */

const NOW = new Date("2027-12-01T00:00:00Z");
const DAY = 86_400_000;

const t = testDbForSuite();

const count = async (query: ReturnType<typeof sql>) =>
  Number((await queryRows<{ n: string | number }>(t.db, query))[0]?.n ?? 0);

/** Ingests `events` and then backdates their received_at, as if they had arrived `daysAgo` days ago. */
async function ingestReceived(events: ReturnType<typeof makeEvent>[], daysAgo: number) {
  const result = await ingestItems(t.db, events, { apiKeyId: null, channel: "api" });
  expect(result).toMatchObject({ accepted: events.length, duplicates: 0, rejected: [] });
  const ids = events.map((e) => e.id);
  await t.db.execute(
    sql`update events set received_at = ${new Date(NOW.getTime() - daysAgo * DAY).toISOString()}::timestamptz
        where event_id in (${sql.join(
          ids.map((id) => sql`${id}`),
          sql`, `,
        )})`,
  );
}

/** One event of each projected type, with natural keys unique to `tag`. */
function eventsTagged(tag: string) {
  return [
    makeEvent("usage.checkpoint", {}, { meter: `meter_${tag}` }),
    makeEvent("invoice.issued", {}, { invoiceId: `INV-${tag}` }),
    makeEvent("erp.posting.attempted", {}, { postingId: `PST-${tag}`, invoiceId: `INV-${tag}` }),
    makeEvent("payment.received", {}, { paymentId: `pay_${tag}` }),
    makeEvent("entitlement.updated", {}, { paymentId: `pay_${tag}` }),
    makeEvent("reconciliation.result", {}, { runId: `run-${tag}` }),
    makeEvent("invoice.disputed", {}, { invoiceId: `INV-${tag}` }),
    makeEvent("contract.amended", {}, { contractId: `ctr_${tag}` }),
    makeEvent("correction.executed", {}, { correctionId: randomUUID() }),
  ];
}

const PROJECTIONS = [
  "usage_checkpoints",
  "invoices",
  "erp_posting_attempts",
  "payments",
  "entitlement_updates",
  "reconciliation_results",
  "invoice_disputes",
  "contract_amendments",
  "correction_executions",
];

async function projectionCounts(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of PROJECTIONS) {
    counts[table] = await count(sql`select count(*) as n from ${sql.raw(table)}`);
  }
  return counts;
}

const oldEvents = Array.from({ length: 3 }, (_, i) => eventsTagged(`old${i}`)).flat();
const youngEvents = Array.from({ length: 2 }, (_, i) => eventsTagged(`young${i}`)).flat();

beforeAll(async () => {
  await ingestReceived(oldEvents, 401);
  await ingestReceived(youngEvents, 399);
  await t.db.execute(
    sql`insert into rejected_events (received_at, channel, payload, errors) values
        (${new Date(NOW.getTime() - 500 * DAY).toISOString()}::timestamptz, 'api', '{}'::jsonb, array['old']),
        (${new Date(NOW.getTime() - 10 * DAY).toISOString()}::timestamptz, 'api', '{}'::jsonb, array['young'])`,
  );
});

describe("retention", () => {
  it("deletes events older than the retention age with their projection rows, in batches", async () => {
    const before = await projectionCounts();
    for (const table of PROJECTIONS) expect(before[table], table).toBe(5);

    // A batch of 5 makes the 24 old events take several short transactions.
    const result = await runRetention(t.db, { now: NOW, maxAgeDays: 400, batchSize: 5 });
    expect(result).toMatchObject({ events: oldEvents.length, rejectedEvents: 1 });
    expect(result.batches).toBeGreaterThanOrEqual(Math.ceil(oldEvents.length / 5));

    expect(await count(sql`select count(*) as n from events`)).toBe(youngEvents.length);
    expect(
      await count(sql`select count(*) as n from events where event_id like 'evt_%'
        and received_at < ${new Date(NOW.getTime() - 400 * DAY).toISOString()}::timestamptz`),
    ).toBe(0);
    const after = await projectionCounts();
    for (const table of PROJECTIONS) expect(after[table], table).toBe(2);
    expect(await count(sql`select count(*) as n from rejected_events`)).toBe(1);
    expect(
      await count(sql`select count(*) as n from invoices where invoice_id like 'INV-old%'`),
    ).toBe(0);
    expect(
      await count(sql`select count(*) as n from invoices where invoice_id like 'INV-young%'`),
    ).toBe(2);
  });

  it("keeps a retained event exactly once when it is sent again", async () => {
    const retained = youngEvents[1]!;
    const again = await ingestItems(t.db, [retained], { apiKeyId: null, channel: "api" });
    expect(again).toMatchObject({ accepted: 0, duplicates: 1, rejected: [] });
    expect(
      await count(sql`select count(*) as n from events
        where source = ${retained.source} and event_id = ${retained.id}`),
    ).toBe(1);
    expect(await count(sql`select count(*) as n from events`)).toBe(youngEvents.length);
  });

  it("does nothing when nothing is old enough, and a second run finds nothing", async () => {
    const result = await runRetention(t.db, { now: NOW, maxAgeDays: 400 });
    expect(result).toMatchObject({ events: 0, rejectedEvents: 0, batches: 0 });
  });

  it("deletes the read-your-writes markers that have expired, and only those", async () => {
    await t.db.execute(
      sql`insert into caller_write_positions (caller, position, expires_at) values
            ('key:expired', '0/16B6C50', now() - interval '1 second'),
            ('key:live', '0/16B6C50', now() + interval '40 seconds')`,
    );
    const result = await runRetention(t.db, { now: NOW, maxAgeDays: 400 });
    expect(result.callerWrites).toBe(1);
    expect(
      (
        await queryRows<{ caller: string }>(t.db, sql`select caller from caller_write_positions`)
      ).map((row) => row.caller),
    ).toEqual(["key:live"]);
  });

  it("refuses a retention age under a day", async () => {
    await expect(runRetention(t.db, { now: NOW, maxAgeDays: 0 })).rejects.toThrow(RangeError);
  });
});
