import type { Db } from "@/db/client";
import { findRawEvent, type RawEventRow } from "@/db/queries/raw-event";
import { isRecord } from "@/lib/humanise";

export interface RawEventView {
  event: RawEventRow;
  /** The event's data when it is an object (what the field list shows), else empty. */
  data: Record<string, unknown>;
  /** The CloudEvent as the sender sent it, extension attributes back at the top level. */
  cloudEvent: Record<string, unknown>;
}

/** One stored event exactly as accepted, or null when there is none with this number. */
export async function loadRawEvent(db: Db, seq: number): Promise<RawEventView | null> {
  const event = await findRawEvent(db, seq);
  if (!event) return null;
  const payload = JSON.parse(event.data) as unknown;
  const cloudEvent = {
    specversion: "1.0",
    id: event.event_id,
    source: event.source,
    type: event.type,
    time: new Date(event.time).toISOString(),
    ...(event.subject ? { subject: event.subject } : {}),
    ...(JSON.parse(event.attributes) as Record<string, unknown>),
    data: payload,
  };
  return { event, data: isRecord(payload) ? payload : {}, cloudEvent };
}
