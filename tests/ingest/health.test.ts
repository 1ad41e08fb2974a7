import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { events, rejectedEvents } from "@/db/schema";
import {
  SILENCE_FLOOR_MS,
  assessFreshness,
  loadIngestionHealth,
  type IngestionHealth,
  type SourceHealth,
} from "@/lib/ingest/health";
import { testDbForSuite } from "../support/db";

/*
 * Ingestion health on hand-placed arrivals (receipt times written directly, so the cadence is
 * known exactly): a steady source is on time, one that stopped is flagged silent, a very fast
 * one is judged against the floor, one with too little history makes no claim, one quiet for
 * longer than the window is silent; rejected items are counted per source and type.
 */

const NOW = new Date("2026-11-20T12:00:00.000Z");
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const run = randomUUID().slice(0, 8);
const src = (name: string) => `urn:test:${name}-${run}`;

const t = testDbForSuite();
let health: IngestionHealth;

/** `count` arrivals `gapMs` apart, the last one `lastAgoMs` before NOW, `perArrival` events each. */
async function arrivals(
  source: string,
  type: string,
  o: { count: number; gapMs: number; lastAgoMs: number; perArrival?: number; idPrefix?: string },
) {
  const rows = [];
  for (let i = 0; i < o.count; i++) {
    const receivedAt = new Date(NOW.getTime() - o.lastAgoMs - i * o.gapMs);
    for (let j = 0; j < (o.perArrival ?? 1); j++) {
      rows.push({
        source,
        eventId: `${o.idPrefix ?? ""}${type}-${i}-${j}`,
        type,
        time: receivedAt,
        receivedAt,
        data: { n: i },
      });
    }
  }
  for (let i = 0; i < rows.length; i += 500) {
    await t.db.insert(events).values(rows.slice(i, i + 500));
  }
}

async function rejected(
  source: string | null,
  type: string | null,
  agoMs: number,
  resolved = false,
) {
  await t.db.insert(rejectedEvents).values({
    receivedAt: new Date(NOW.getTime() - agoMs),
    channel: "api",
    source,
    type,
    payload: { source, type },
    errors: ["data.currency: is not an ISO 4217 currency code"],
    ...(resolved ? { resolvedAt: NOW, resolution: "dismissed" } : {}),
  });
}

const row = (source: string, type: string): SourceHealth => {
  const found = health.sources.find((s) => s.source === source && s.type === type);
  if (!found) throw new Error(`no row for ${source} ${type}`);
  return found;
};

beforeAll(async () => {
  // Every 10 minutes for two days, two events per batch, the last 5 minutes ago.
  await arrivals(src("steady"), "usage.checkpoint", {
    count: 288,
    gapMs: 10 * MIN,
    lastAgoMs: 5 * MIN,
    perArrival: 2,
  });
  // Hourly for three days, then nothing for the last five hours: 3 × 1 h allowed.
  await arrivals(src("gone"), "invoice.issued", { count: 72, gapMs: HOUR, lastAgoMs: 5 * HOUR });
  // Every minute, last one 10 minutes ago: 3 × 1 min is below the floor, which applies.
  await arrivals(src("fast"), "payment.received", { count: 120, gapMs: MIN, lastAgoMs: 10 * MIN });
  // Three arrivals in the window: too few to learn a cadence.
  await arrivals(src("rare"), "contract.amended", { count: 3, gapMs: 2 * DAY, lastAgoMs: 3 * DAY });
  // Its last event 40 days ago: nothing for longer than the 35-day lookback.
  await arrivals(src("ancient"), "invoice.issued", { count: 10, gapMs: HOUR, lastAgoMs: 40 * DAY });
  // Its last event 20 days ago, hourly before that: too little in the window to judge.
  await arrivals(src("lapsed"), "invoice.issued", { count: 10, gapMs: HOUR, lastAgoMs: 20 * DAY });
  // A monthly run: 30 arrivals a minute apart, a month apart, the last run 3 days ago. Quiet
  // for days between runs is its usual rhythm, not silence.
  for (const daysAgo of [3, 33]) {
    await arrivals(src("monthly"), "invoice.issued", {
      count: 30,
      gapMs: MIN,
      lastAgoMs: daysAgo * DAY,
      idPrefix: `run${daysAgo}-`,
    });
  }
  // After NOW: not seen by a reading taken at NOW.
  await arrivals(src("future"), "invoice.issued", { count: 1, gapMs: 0, lastAgoMs: -HOUR });

  await rejected(src("gone"), "invoice.issued", 2 * HOUR);
  await rejected(src("gone"), "invoice.issued", 30 * DAY); // old but still waiting
  await rejected(src("gone"), "invoice.issued", 3 * HOUR, true); // dismissed, in the window
  await rejected(src("gone"), "invoice.issued", 40 * DAY, true); // dismissed long ago: not counted
  await rejected(null, null, HOUR);

  health = await loadIngestionHealth(t.db, NOW);
});
describe("cadence and silence", () => {
  it("learns a steady source's cadence from distinct arrivals and finds it on time", () => {
    const steady = row(src("steady"), "usage.checkpoint");
    expect(steady).toMatchObject({
      freshness: "on_time",
      cadenceMs: 10 * MIN,
      allowanceMs: 30 * MIN,
      sinceLastMs: 5 * MIN,
      arrivals: 288,
      events: 576,
      lastReceivedAt: new Date(NOW.getTime() - 5 * MIN).toISOString(),
    });
  });

  it("flags a source quiet for longer than three times its cadence", () => {
    expect(row(src("gone"), "invoice.issued")).toMatchObject({
      freshness: "silent",
      cadenceMs: HOUR,
      allowanceMs: 3 * HOUR,
      sinceLastMs: 5 * HOUR,
    });
  });

  it("never flags a fast source before the floor", () => {
    expect(row(src("fast"), "payment.received")).toMatchObject({
      freshness: "on_time",
      cadenceMs: MIN,
      allowanceMs: SILENCE_FLOOR_MS,
      sinceLastMs: 10 * MIN,
    });
  });

  it("makes no claim with too little history, and flags a source silent for the whole window", () => {
    expect(row(src("rare"), "contract.amended")).toMatchObject({
      freshness: "unknown",
      cadenceMs: null,
      arrivals: 3,
    });
    expect(row(src("ancient"), "invoice.issued")).toMatchObject({
      freshness: "silent",
      cadenceMs: null,
      arrivals: 0,
      events: 0,
      sinceLastMs: 40 * DAY,
    });
    expect(row(src("lapsed"), "invoice.issued")).toMatchObject({
      freshness: "unknown",
      arrivals: 0,
    });
  });

  it("does not call a source that sends in monthly bursts silent between them", () => {
    const monthly = row(src("monthly"), "invoice.issued");
    expect(monthly).toMatchObject({ freshness: "on_time", cadenceMs: MIN, arrivals: 30 });
    // The longest quiet spell lately (30 days less a burst) is what it is allowed.
    expect(monthly.allowanceMs).toBe(30 * DAY - 29 * MIN);
    const later = (daysQuiet: number) =>
      assessFreshness(
        {
          lastReceivedAt: new Date(NOW.getTime() - daysQuiet * DAY),
          arrivals: 30,
          medianGapMs: MIN,
          longestGapMs: 30 * DAY - 29 * MIN,
        },
        NOW,
      ).freshness;
    expect(later(29)).toBe("on_time");
    expect(later(31)).toBe("silent");
  });

  it("ignores what arrived after the reading", () => {
    expect(health.sources.some((s) => s.source === src("future"))).toBe(false);
  });

  it("lists silent sources first", () => {
    const order = health.sources.map((s) => s.freshness);
    expect(order.indexOf("on_time")).toBeGreaterThan(order.lastIndexOf("silent"));
  });

  it("is on time at exactly the allowance and silent just past it", () => {
    const at = (sinceLastMs: number) =>
      assessFreshness(
        {
          lastReceivedAt: new Date(NOW.getTime() - sinceLastMs),
          arrivals: 10,
          medianGapMs: HOUR,
          longestGapMs: HOUR,
        },
        NOW,
      ).freshness;
    expect(at(3 * HOUR)).toBe("on_time");
    expect(at(3 * HOUR + 1)).toBe("silent");
  });
});

describe("daily volume and rejections", () => {
  it("covers fourteen UTC days ending today, with zeros for days without events", () => {
    const gone = row(src("gone"), "invoice.issued");
    expect(gone.daily).toHaveLength(14);
    expect(gone.daily[0]!.bucket).toBe("2026-11-07T00:00:00.000Z");
    expect(gone.daily[13]!.bucket).toBe("2026-11-20T00:00:00.000Z");
    // 72 hourly arrivals back from 07:00 on the 20th: 8 on the 20th (00:00–07:00), 24 on each
    // of the 19th and 18th, and the remaining 16 on the 17th (08:00–23:00).
    const byDay = Object.fromEntries(gone.daily.map((p) => [p.bucket.slice(0, 10), p.value]));
    expect(byDay["2026-11-20"]).toBe(8);
    expect(byDay["2026-11-19"]).toBe(24);
    expect(byDay["2026-11-18"]).toBe(24);
    expect(byDay["2026-11-17"]).toBe(16);
    expect(byDay["2026-11-16"]).toBe(0);
    expect(gone.daily.reduce((sum, p) => sum + (p.value ?? 0), 0)).toBe(72);
  });

  it("counts rejected items waiting and received in the window, and links to their queue", () => {
    const gone = row(src("gone"), "invoice.issued");
    expect(gone.rejected).toMatchObject({
      waiting: 2,
      inWindow: 2,
      lastAt: new Date(NOW.getTime() - 2 * HOUR).toISOString(),
      href: `/exceptions?type=event_rejected&q=${encodeURIComponent(src("gone"))}`,
    });
    expect(row(src("steady"), "usage.checkpoint").rejected).toMatchObject({
      waiting: 0,
      inWindow: 0,
      lastAt: null,
    });
  });

  it("keeps a row for rejected items that named no source", () => {
    const unknown = row("(unknown source)", "(no type)");
    expect(unknown).toMatchObject({ lastReceivedAt: null, freshness: "unknown", events: 0 });
    expect(unknown.rejected).toMatchObject({ waiting: 1, inWindow: 1 });
    expect(unknown.rejected.href).toBe("/exceptions?type=event_rejected&q=%28unknown+source%29");
  });
});
