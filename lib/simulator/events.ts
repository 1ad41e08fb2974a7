import type { EventType } from "@/lib/contract/event-types";
import type { Rng } from "./prng";
import { SECOND, iso } from "./time";

/** The systems of the simulated company, one CloudEvents `source` each. */
export const SOURCES = {
  metering: "urn:closeline:sim:product-metering",
  billing: "urn:closeline:sim:billing",
  erp: "urn:closeline:sim:erp-connector",
  payments: "urn:closeline:sim:payments",
  entitlements: "urn:closeline:sim:entitlements",
  reconciliation: "urn:closeline:sim:reconciliation",
  crm: "urn:closeline:sim:crm",
  treasury: "urn:closeline:sim:treasury",
} as const;

export interface CloudEvent {
  specversion: "1.0";
  id: string;
  source: string;
  type: EventType;
  time: string;
  subject?: string;
  datacontenttype: "application/json";
  data: Record<string, unknown>;
}

/**
 * An event and the moment its source hands it over. `time` is when it happened in the
 * business (a checkpoint computed, a payment booked); `deliverAt` is later by the pipeline's
 * delay: seconds normally, the next morning for a bank file, hours during an outage. Time
 * ranges select by `deliverAt`, so live data arrives with a realistic lag.
 */
export interface SimEvent {
  deliverAt: number;
  event: CloudEvent;
}

export function simEvent(input: {
  source: string;
  type: EventType;
  id: string;
  time: number;
  deliverAt: number;
  subject?: string;
  data: Record<string, unknown>;
}): SimEvent {
  const event: CloudEvent = {
    specversion: "1.0",
    id: input.id,
    source: input.source,
    type: input.type,
    time: iso(input.time),
    ...(input.subject ? { subject: input.subject } : {}),
    datacontenttype: "application/json",
    data: input.data,
  };
  return { deliverAt: Math.max(input.deliverAt, input.time), event };
}

/** An invoice's event from the billing system, about the invoice, delivered within 40 seconds. */
export function billingEvent(
  rng: Rng,
  input: {
    type: EventType;
    id: string;
    time: number;
    invoiceId: string;
    data: Record<string, unknown>;
  },
): SimEvent {
  return simEvent({
    source: SOURCES.billing,
    type: input.type,
    id: input.id,
    time: input.time,
    deliverAt: input.time + rng.int(1, 40) * SECOND,
    subject: input.invoiceId,
    data: input.data,
  });
}

/** Delivery order; ties broken by identity so the order is the same on every run. */
export function compareSimEvents(a: SimEvent, b: SimEvent): number {
  return (
    a.deliverAt - b.deliverAt || cmp(a.event.source, b.event.source) || cmp(a.event.id, b.event.id)
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
