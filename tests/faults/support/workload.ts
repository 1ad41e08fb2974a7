import { sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { queryRows } from "@/db/rows";
import type { ApiKeyScope } from "@/db/schema";
import { SYSTEM_ACTOR } from "@/lib/audit";
import { createApiKey } from "@/lib/auth/api-keys";
import { ingestItems } from "@/lib/ingest/ingest";
import { simulateEvents, type CloudEvent } from "@/lib/simulator";
import { createTestDb } from "../../support/db";
import { kpisWithoutLag, openExceptionKeys, storedEventKeys } from "./outcome";
import { chunks } from "./seeded";

/*
 * The event set the process-level fault tests send, and the outcome a clean run of it gives.
 * Twelve days across a month end: a billing run with its ERP postings, payments and
 * entitlements, reconciliation runs with breaks, hourly usage — about 3,700 events.
 */

const DAY = 86_400_000;
const END = Date.parse("2026-11-08T00:00:00Z");
const START = END - 12 * DAY;
/** The KPI window is the simulated one; "now" is a day after it, as in shuffled-order.test.ts. */
export const KPI_WINDOW = { from: new Date(START), to: new Date(END), now: new Date(END + DAY) };

export function workloadEvents(seed: number): CloudEvent[] {
  return simulateEvents({ seed, from: START, to: END, since: START, customers: 40 });
}

export interface Outcome {
  keys: string[];
  kpis: unknown;
  exceptions: string[];
  rejected: number;
}

export async function outcomeOf(db: Db): Promise<Outcome> {
  const [rejected] = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from rejected_events`,
  );
  return {
    keys: await storedEventKeys(db),
    kpis: await kpisWithoutLag(db, KPI_WINDOW.from, KPI_WINDOW.to, KPI_WINDOW.now),
    exceptions: await openExceptionKeys(db),
    rejected: rejected!.n,
  };
}

/** The same events ingested in order, straight into a fresh database: no server, no faults. */
export async function cleanRunOutcome(events: readonly CloudEvent[]): Promise<Outcome> {
  const t = await createTestDb();
  try {
    for (const batch of chunks(events, 500))
      await ingestItems(t.db, batch, { apiKeyId: null, channel: "api" });
    return await outcomeOf(t.db);
  } finally {
    await t.close();
  }
}

/** The `a|b` keys of `table` that more than one row holds, in order. */
async function keysHeldTwice(db: Db, table: SQL, a: SQL, b: SQL): Promise<string[]> {
  const rows = await queryRows<{ k: string }>(
    db,
    sql`select ${a} || '|' || ${b} as k from ${table} group by ${a}, ${b} having count(*) > 1 order by 1`,
  );
  return rows.map((r) => r.k);
}

/** (source, id) pairs stored more than once; the unique index should make this always empty. */
export const eventsStoredTwice = (db: Db) =>
  keysHeldTwice(db, sql`events`, sql`source`, sql`event_id`);

/** (type, problem_key) pairs with more than one exception row, whatever their status. */
export const exceptionsRaisedTwice = (db: Db) =>
  keysHeldTwice(db, sql`exceptions`, sql`type`, sql`problem_key`);

export async function apiKey(db: Db, scopes: ApiKeyScope[]): Promise<string> {
  const created = await createApiKey(
    db,
    { name: `faults ${scopes.join("+")}`, scopes },
    SYSTEM_ACTOR,
  );
  return created.key;
}
