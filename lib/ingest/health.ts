import type { Db } from "@/db/client";
import {
  dailyVolumeBySourceType,
  rejectionCountsBySourceType,
  sourceTypeActivity,
  type SourceTypeActivity,
} from "@/db/queries/ingestion";
import type { SeriesPoint } from "@/lib/kpi/series";

/*
 * Ingestion health per source and event type: when each last sent something, how often it
 * usually does, and whether it has gone quiet for longer than that allows. The rule is written
 * out in docs/ingestion-health.md; the constants below are its parameters.
 */

/** The history a cadence is learned from, and the days of the volume chart. */
export const HEALTH_WINDOW_DAYS = 14;
/**
 * How far back the longest usual quiet spell is looked for: past a month, so a source that
 * sends in bursts (a monthly billing run, a nightly job) is not called silent between them.
 */
export const QUIET_LOOKBACK_DAYS = 35;
/** Fewer arrivals than this in the window (four gaps) is too little to call anything usual. */
export const MIN_ARRIVALS_FOR_CADENCE = 5;
/** Quiet for more than this many usual gaps is silence: one or two late batches are normal. */
export const SILENCE_FACTOR = 3;
/**
 * Never flag a source quiet for less than this, however fast it usually sends: a source sending
 * every ten seconds that pauses for a minute is restarting, not gone.
 */
export const SILENCE_FLOOR_MS = 15 * 60_000;

const DAY_MS = 86_400_000;

/**
 * - `on_time`: the last arrival is within the allowance of the learned cadence;
 * - `silent`: longer than that, or nothing at all for the whole lookback: flagged;
 * - `unknown`: too few arrivals in the window to learn a cadence, so no claim either way.
 */
export type Freshness = "on_time" | "silent" | "unknown";

export interface FreshnessAssessment {
  freshness: Freshness;
  /** The learned cadence: the median time between arrivals in the window. */
  cadenceMs: number | null;
  /** How long the pair may stay quiet before it is flagged. */
  allowanceMs: number | null;
  sinceLastMs: number;
}

/** Whether one source × type has gone quiet for longer than its own cadence allows. */
export function assessFreshness(
  activity: Pick<
    SourceTypeActivity,
    "lastReceivedAt" | "arrivals" | "medianGapMs" | "longestGapMs"
  >,
  now: Date,
): FreshnessAssessment {
  const sinceLastMs = Math.max(0, now.getTime() - activity.lastReceivedAt.getTime());
  if (sinceLastMs > QUIET_LOOKBACK_DAYS * DAY_MS) {
    // Nothing for longer than the whole lookback: that silence needs no cadence.
    return { freshness: "silent", cadenceMs: null, allowanceMs: null, sinceLastMs };
  }
  if (activity.arrivals < MIN_ARRIVALS_FOR_CADENCE || activity.medianGapMs === null) {
    return { freshness: "unknown", cadenceMs: null, allowanceMs: null, sinceLastMs };
  }
  const cadenceMs = activity.medianGapMs;
  // Three usual gaps, or the longest quiet spell it had lately, whichever is longer: a source
  // that sends in bursts is usually quiet for long between them.
  const allowanceMs = Math.max(
    SILENCE_FACTOR * cadenceMs,
    activity.longestGapMs ?? 0,
    SILENCE_FLOOR_MS,
  );
  return {
    freshness: sinceLastMs > allowanceMs ? "silent" : "on_time",
    cadenceMs,
    allowanceMs,
    sinceLastMs,
  };
}

/** How rejected items of a source are named when the sender named no source (lib/exceptions/detect.ts). */
const UNKNOWN_SOURCE = "(unknown source)";

export interface SourceHealth extends FreshnessAssessment {
  source: string;
  type: string;
  /** Null for a pair that only ever sent rejected items. */
  lastReceivedAt: string | null;
  /** Accepted events in the window. */
  events: number;
  arrivals: number;
  /** Accepted events per UTC day of the window, oldest first; 0 is a day that sent none. */
  daily: SeriesPoint[];
  rejected: {
    /** Still waiting for a replay or a dismissal, whenever they came. */
    waiting: number;
    /** Received in the window. */
    inWindow: number;
    lastAt: string | null;
    /** The event_rejected exceptions of the source, where they are replayed or dismissed. */
    href: string;
  };
}

export interface IngestionHealth {
  window: { from: string; to: string; days: number };
  /** Silent pairs first, then by source and type. */
  sources: SourceHealth[];
  generatedAt: string;
}

/** The exception queue's event_rejected exceptions of a source (their title names it). */
export function rejectedQueueHref(source: string): string {
  return `/exceptions?${new URLSearchParams({ type: "event_rejected", q: source || UNKNOWN_SOURCE }).toString()}`;
}

/** The UTC days [from, to) of the window, as the chart's bucket starts. */
function windowDays(from: Date, days: number): string[] {
  return Array.from({ length: days }, (_, i) =>
    new Date(from.getTime() + i * DAY_MS).toISOString().slice(0, 10),
  );
}

const key = (source: string, type: string) => `${source}\u0000${type}`;
const FRESHNESS_ORDER: Record<Freshness, number> = { silent: 0, unknown: 1, on_time: 2 };

export async function loadIngestionHealth(
  db: Db,
  now: Date = new Date(),
): Promise<IngestionHealth> {
  // Whole UTC days, the last one being today so far, so the chart's bars are comparable days.
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const chartFrom = new Date(today - (HEALTH_WINDOW_DAYS - 1) * DAY_MS);
  // The cadence is learned over exactly the last fourteen days, up to now.
  const cadenceRange = { from: new Date(now.getTime() - HEALTH_WINDOW_DAYS * DAY_MS), to: now };
  const lookbackFrom = new Date(now.getTime() - QUIET_LOOKBACK_DAYS * DAY_MS);
  const [activity, volume, rejections] = await Promise.all([
    sourceTypeActivity(db, { ...cadenceRange, lookbackFrom }),
    dailyVolumeBySourceType(db, { from: chartFrom, to: now }),
    rejectionCountsBySourceType(db, cadenceRange),
  ]);
  const days = windowDays(chartFrom, HEALTH_WINDOW_DAYS);
  const perDay = new Map(volume.map((v) => [`${key(v.source, v.type)}\u0000${v.day}`, v.events]));
  const daily = (source: string, type: string): SeriesPoint[] =>
    days.map((day) => ({
      bucket: `${day}T00:00:00.000Z`,
      value: perDay.get(`${key(source, type)}\u0000${day}`) ?? 0,
    }));

  const rejectedBy = new Map(rejections.map((r) => [key(r.source, r.type), r]));
  const sources: SourceHealth[] = activity.map((a) => {
    const rejected = rejectedBy.get(key(a.source, a.type));
    rejectedBy.delete(key(a.source, a.type));
    return {
      source: a.source,
      type: a.type,
      ...assessFreshness(a, now),
      lastReceivedAt: a.lastReceivedAt.toISOString(),
      events: a.events,
      arrivals: a.arrivals,
      daily: daily(a.source, a.type),
      rejected: {
        waiting: rejected?.waiting ?? 0,
        inWindow: rejected?.inRange ?? 0,
        lastAt: rejected?.lastRejectedAt.toISOString() ?? null,
        href: rejectedQueueHref(a.source),
      },
    };
  });
  // A pair that only ever sent what could not be accepted is still a source to look at.
  for (const r of rejectedBy.values()) {
    sources.push({
      source: r.source || UNKNOWN_SOURCE,
      type: r.type || "(no type)",
      freshness: "unknown",
      cadenceMs: null,
      allowanceMs: null,
      sinceLastMs: Math.max(0, now.getTime() - r.lastRejectedAt.getTime()),
      lastReceivedAt: null,
      events: 0,
      arrivals: 0,
      daily: days.map((day) => ({ bucket: `${day}T00:00:00.000Z`, value: 0 })),
      rejected: {
        waiting: r.waiting,
        inWindow: r.inRange,
        lastAt: r.lastRejectedAt.toISOString(),
        href: rejectedQueueHref(r.source),
      },
    });
  }
  sources.sort(
    (a, b) =>
      FRESHNESS_ORDER[a.freshness] - FRESHNESS_ORDER[b.freshness] ||
      a.source.localeCompare(b.source) ||
      a.type.localeCompare(b.type),
  );
  return {
    window: {
      from: cadenceRange.from.toISOString(),
      to: now.toISOString(),
      days: HEALTH_WINDOW_DAYS,
    },
    sources,
    generatedAt: now.toISOString(),
  };
}
