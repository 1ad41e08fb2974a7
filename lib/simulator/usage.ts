import type { Company, Entity, Meter } from "./company";
import { SOURCES, simEvent, type SimEvent } from "./events";
import { rngFor, type Rng } from "./prng";
import { DAY, HOUR, MINUTE, SECOND, iso, startOfHour } from "./time";

/*
 * Hourly usage checkpoints from the metering pipeline: per entity and meter, how many usage
 * records the product emitted in the hour and how many the billing platform received.
 * Normally every record arrives (the pipeline delivers at least once and de-duplicates, so
 * the counts match exactly); a shortfall is something that went wrong. Now and then an
 * incident shows up the way it does in real pipelines:
 *   - degraded ingest: windows come in short (72–97 %), and most are re-sent a few hours
 *     later once the backlog is replayed (a later checkpoint for the same window supersedes);
 *   - delivery outage: checkpoints are computed on time but queued, then flushed hours late;
 *   - late compute: the checkpoint job itself runs hours behind.
 * Incidents are drawn per entity and per week, so they are correlated across hours and
 * meters as real ones are.
 */

/** Latest a checkpoint can be delivered after its window ends (incident end + replay). */
export const MAX_CHECKPOINT_DELAY = 30 * HOUR;

const INCIDENT_BLOCK = 7 * DAY;

type IncidentKind = "degraded_ingest" | "delivery_outage" | "late_compute";

interface Incident {
  kind: IncidentKind;
  start: number;
  end: number;
  /** null = every meter of the entity. */
  meter: string | null;
}

function incidentFor(seed: number, entity: Entity, block: number): Incident | null {
  const rng = rngFor(seed, "usage-incident", entity.code, block);
  if (!rng.chance(0.4)) return null;
  const kind = rng.weighted<IncidentKind>([
    ["degraded_ingest", 0.5],
    ["delivery_outage", 0.3],
    ["late_compute", 0.2],
  ]);
  // Starts on the hour and ends within its block, so one lookup per window is enough.
  const start = block * INCIDENT_BLOCK + rng.int(0, 7 * 24 - 12) * HOUR;
  const end = start + rng.int(2, 6) * HOUR;
  const meter =
    kind === "degraded_ingest" && rng.chance(0.5) ? rng.pick(["api_calls", "messages_sent"]) : null;
  return { kind, start, end, meter };
}

/** Records in the window: a daily curve in the entity's local time, quieter weekends, slow growth. */
function expectedRecords(rng: Rng, entity: Entity, meter: Meter, windowStart: number): number {
  const local = new Date(windowStart + entity.utcOffsetHours * HOUR);
  const hour = local.getUTCHours();
  const daily = 0.3 + 0.7 * (0.5 - 0.5 * Math.cos((2 * Math.PI * (hour - 4)) / 24));
  const weekday = local.getUTCDay();
  const weekly = weekday === 0 || weekday === 6 ? 0.65 : 1;
  const growth = 1 + (0.15 * (windowStart - Date.UTC(2026, 0, 1))) / (365 * DAY);
  const noise = rng.normal(1, 0.04);
  return Math.max(
    0,
    Math.round(meter.peakRecordsPerHour * entity.share * daily * weekly * growth * noise),
  );
}

/** A replayed backlog usually recovers every record; now and then a few are lost for good. */
function replayed(rng: Rng, expected: number): number {
  return rng.chance(0.8) ? expected : expected - Math.round(expected * rng.between(0, 0.002));
}

function checkpointFor(
  company: Company,
  entity: Entity,
  meter: Meter,
  windowStart: number,
): SimEvent[] {
  const rng = rngFor(company.seed, "checkpoint", entity.code, meter.id, windowStart);
  const windowEnd = windowStart + HOUR;
  const expected = expectedRecords(rng, entity, meter, windowStart);
  const block = Math.floor(windowStart / INCIDENT_BLOCK);
  const incident = incidentFor(company.seed, entity, block);
  const inIncident =
    incident !== null &&
    windowStart >= incident.start &&
    windowStart < incident.end &&
    (incident.meter === null || incident.meter === meter.id);

  let time = windowEnd + rng.int(30, 180) * SECOND;
  let deliverAt = time + rng.int(1, 20) * SECOND;
  let received = expected;
  /** Received count of the replayed, superseding checkpoint; null = none is sent. */
  let resent: { time: number; received: number } | null = null;

  if (inIncident && incident.kind === "degraded_ingest") {
    received = Math.round(expected * rng.between(0.72, 0.97));
    // Most backlogs are replayed; some records are lost for good and the window stays short.
    if (rng.chance(0.85)) {
      resent = {
        time: incident.end + rng.int(60, 300) * MINUTE,
        received: replayed(rng, expected),
      };
    }
  } else if (inIncident && incident.kind === "delivery_outage") {
    deliverAt = incident.end + rng.int(5, 25) * MINUTE + rng.int(0, 59) * SECOND;
  } else if (inIncident && incident.kind === "late_compute") {
    time = incident.end + rng.int(10, 40) * MINUTE;
    deliverAt = time + rng.int(1, 20) * SECOND;
  } else if (rng.chance(0.006)) {
    // A transient hiccup outside any incident: a short window, usually corrected later.
    received = Math.round(expected * rng.between(0.96, 0.995));
    if (rng.chance(0.7)) {
      resent = { time: windowEnd + rng.int(40, 180) * MINUTE, received: replayed(rng, expected) };
    }
  } else if (rng.chance(0.004)) {
    time = windowEnd + rng.int(20, 90) * MINUTE;
    deliverAt = time + rng.int(1, 20) * SECOND;
  }

  const rejected = meter.reportsRejected ? Math.round(expected * rng.between(0, 0.0002)) : null;
  const price = meter.unitPrice?.[entity.currency];
  const id = `chk-${entity.code}-${meter.id}-${iso(windowStart)}`;
  const data = (receivedCount: number) => ({
    entity: entity.code,
    meter: meter.id,
    windowStart: iso(windowStart),
    windowEnd: iso(windowEnd),
    expectedCount: expected,
    receivedCount,
    ...(rejected !== null ? { rejectedCount: rejected } : {}),
    ...(price ? { unitPrice: price, currency: entity.currency } : {}),
  });
  const subject = `${entity.code}/${meter.id}`;
  const events = [
    simEvent({
      source: SOURCES.metering,
      type: "usage.checkpoint",
      id,
      time,
      deliverAt,
      subject,
      data: data(received),
    }),
  ];
  if (resent) {
    events.push(
      simEvent({
        source: SOURCES.metering,
        type: "usage.checkpoint",
        id: `${id}-r1`,
        time: resent.time,
        deliverAt: resent.time + rng.int(1, 20) * SECOND,
        subject,
        data: { ...data(resent.received), supersedes: id },
      }),
    );
  }
  return events;
}

/** Checkpoints delivered in [from, to). */
export function usageEvents(company: Company, from: number, to: number): SimEvent[] {
  const out: SimEvent[] = [];
  for (
    let windowStart = startOfHour(from - MAX_CHECKPOINT_DELAY);
    windowStart + HOUR <= to;
    windowStart += HOUR
  ) {
    for (const entity of company.entities) {
      for (const meter of company.meters) {
        for (const e of checkpointFor(company, entity, meter, windowStart)) {
          if (e.deliverAt >= from && e.deliverAt < to) out.push(e);
        }
      }
    }
  }
  return out;
}
