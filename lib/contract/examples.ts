import { CSV_DATA_COLUMNS } from "@/lib/ingest/csv";
import { EVENT_TYPES, EVENT_TYPE_NAMES, type EventType } from "./event-types";

/*
 * Whole requests built from the examples in EVENT_TYPES, for the OpenAPI document and
 * docs/ingestion.md. tests/contract checks that every one of them is accepted, so the
 * documentation never shows a request the API would refuse.
 */

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
/** For a type whose data carries no time of its own (invoice.disputed). */
const FALLBACK_TIME = "2026-11-15T10:00:00Z";

export interface ExampleEvent {
  specversion: "1.0";
  id: string;
  source: string;
  type: EventType;
  time: string;
  data: Record<string, unknown>;
}

/**
 * A complete CloudEvent of `type`. Its time is the latest time in its data (when the thing
 * happened: the end of a usage window, the moment of an ERP attempt), and its source names
 * the system such an event comes from.
 */
export function exampleEvent(type: EventType): ExampleEvent {
  const data: Record<string, unknown> = EVENT_TYPES[type].example;
  const times = Object.values(data)
    .filter((value): value is string => typeof value === "string" && RFC3339.test(value))
    .sort((a, b) => Date.parse(a) - Date.parse(b));
  return {
    specversion: "1.0",
    id: `evt-${type.replaceAll(".", "-")}-0001`,
    source: `urn:acme:${type.split(".")[0]}`,
    type,
    time: times.at(-1) ?? FALLBACK_TIME,
    data,
  };
}

export function exampleBatch(): ExampleEvent[] {
  return EVENT_TYPE_NAMES.slice(0, 2).map(exampleEvent);
}

function csvCell(value: unknown): string {
  const text = String(value ?? "");
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A reconciliation-results file: the contract's example (a break) and a matched key. */
export function exampleCsv(): string {
  const broken: Record<string, unknown> = EVENT_TYPES["reconciliation.result"].example;
  const matched: Record<string, unknown> = {
    ...broken,
    key: "cus_0043",
    expectedMinor: 48000,
    actualMinor: 48000,
  };
  return [CSV_DATA_COLUMNS, ...[broken, matched].map((row) => CSV_DATA_COLUMNS.map((c) => row[c]))]
    .map((cells) => cells.map(csvCell).join(","))
    .join("\n")
    .concat("\n");
}

export const exampleIngestResponse = {
  accepted: 1,
  duplicates: 0,
  rejected: [
    {
      index: 1,
      id: "evt-invoice-issued-0002",
      errors: [
        "data.currency: is not an ISO 4217 currency code",
        "data.amountMinor: must not be negative",
      ],
    },
  ],
};

export const exampleCsvUploadResponse = {
  accepted: 41,
  duplicates: 0,
  rejected: [
    {
      index: 7,
      line: 9,
      id: "csv-3f1c0a9e5b7d4c2a8e6f1b3d5c7a9e0f2b4d6c8a0e1f3b5d7c9a1e3f5b7d9c0a",
      errors: ["data.currency: is not an ISO 4217 currency code"],
    },
  ],
};
