import { createHash } from "node:crypto";
import { parse } from "csv-parse/sync";
import { z } from "zod";
import { ReconciliationResultData } from "@/lib/contract";

/*
 * Reconciliation results as a CSV file: one row per compared key, the columns of
 * reconciliation.result's data. Each row becomes a CloudEvent and goes through the same
 * validation as POST /api/v1/events; this file only turns text into events and keeps the
 * line each one came from.
 */

export const CSV_MAX_BYTES = 5 * 1024 * 1024;
export const CSV_MAX_ROWS = 10_000;
export const CSV_DEFAULT_SOURCE = "urn:closeline:csv-upload";
export const CSV_EVENT_TYPE = "reconciliation.result";

type DataColumn = keyof typeof ReconciliationResultData.shape;

/** The data columns, in the order of the contract. */
export const CSV_DATA_COLUMNS = Object.keys(ReconciliationResultData.shape) as DataColumn[];

/** Data columns a file must have; the others (toleranceMinor) have a default. */
export const CSV_REQUIRED_COLUMNS = CSV_DATA_COLUMNS.filter(
  (column) => !ReconciliationResultData.shape[column].isOptional(),
);

/** Optional columns that set the event's envelope instead of its data. */
export const CSV_ENVELOPE_COLUMNS = {
  id: "Event id. Default: a hash of the row's other cells, so re-uploading a file changes nothing",
  source: `Event source. Default: ${CSV_DEFAULT_SOURCE}`,
  time: "Event time (RFC 3339); the later result for a runId and key wins. Default: upload time",
} as const;

type EnvelopeColumn = keyof typeof CSV_ENVELOPE_COLUMNS;
const KNOWN_COLUMNS = new Set<string>([...CSV_DATA_COLUMNS, ...Object.keys(CSV_ENVELOPE_COLUMNS)]);

/** Cells arrive as text; these become numbers before validation, per the JSON Schema. */
const INTEGER_COLUMNS: ReadonlySet<string> = (() => {
  const schema = z.toJSONSchema(ReconciliationResultData, { io: "input" });
  const properties = (schema.properties ?? {}) as Record<string, { type?: unknown }>;
  return new Set(CSV_DATA_COLUMNS.filter((column) => properties[column]?.type === "integer"));
})();

/**
 * Only a plain integer becomes a number. "12.50", "1e3" or "12 EUR" stay text, so the
 * contract rejects them with the field's name instead of us guessing what was meant.
 */
const INTEGER_TEXT = /^-?\d+$/;

export interface CsvEvent {
  specversion: "1.0";
  id: string;
  source: string;
  type: typeof CSV_EVENT_TYPE;
  time: string;
  data: Record<string, string | number>;
}

export interface CsvRow {
  /** 1-based line in the file where the row starts. */
  line: number;
  event: CsvEvent;
}

export type ParsedCsv =
  { ok: true; rows: CsvRow[] } | { ok: false; reason: string; details?: Record<string, string[]> };

interface RecordWithInfo {
  record: string[];
  info: { lines: number; empty_lines: number };
}

/**
 * Parses a reconciliation-results file into events, or explains why the file as a whole
 * cannot be read (not CSV, wrong header, too many rows). Row-level problems are left to the
 * contract's validation so they are reported per row.
 */
export function parseReconciliationCsv(text: string, uploadedAt: Date): ParsedCsv {
  // One line-ending convention makes csv-parse's line count exact (it counts a CR LF inside
  // a quoted value twice) and makes the content ids independent of the file's origin.
  const normalized = text.replace(/\r\n?/g, "\n");
  let records: RecordWithInfo[];
  try {
    records = parse(normalized, {
      bom: true,
      info: true,
      trim: true,
      skip_empty_lines: true,
      // Checked below, after the header, so a wrong header is what gets reported first.
      relax_column_count: true,
    }) as unknown as RecordWithInfo[];
  } catch (error) {
    return { ok: false, reason: `file: not valid CSV (${(error as Error).message})` };
  }
  const [headerRecord, ...dataRecords] = records;
  if (!headerRecord) return { ok: false, reason: "file: is empty" };

  const header = headerRecord.record;
  const headerProblem = checkHeader(header);
  if (headerProblem) return headerProblem;
  if (dataRecords.length === 0) return { ok: false, reason: "file: has a header but no rows" };
  if (dataRecords.length > CSV_MAX_ROWS) {
    return {
      ok: false,
      reason: `file: holds at most ${CSV_MAX_ROWS} rows; got ${dataRecords.length}`,
    };
  }

  const time = uploadedAt.toISOString();
  const rows: CsvRow[] = [];
  let previous = headerRecord.info;
  for (const { record, info } of dataRecords) {
    // `lines` is where a record ends; it starts after the previous one and any blank lines.
    const line = previous.lines + 1 + (info.empty_lines - previous.empty_lines);
    previous = info;
    if (record.length !== header.length) {
      return {
        ok: false,
        reason: `file: line ${line} has ${record.length} values; the header has ${header.length} columns`,
      };
    }
    rows.push({ line, event: rowToEvent(header, record, time) });
  }
  return { ok: true, rows };
}

function checkHeader(header: string[]): ParsedCsv | null {
  const present = new Set(header);
  const repeated = [...present].filter((name) => header.indexOf(name) !== header.lastIndexOf(name));
  const unknown = [...present].filter((name) => !KNOWN_COLUMNS.has(name));
  const missing = CSV_REQUIRED_COLUMNS.filter((name) => !present.has(name));
  if (repeated.length + unknown.length + missing.length === 0) return null;
  const problems = [
    missing.length > 0 ? `missing required column(s) ${missing.join(", ")}` : null,
    unknown.length > 0
      ? `unknown column(s) ${unknown.map((name) => JSON.stringify(name)).join(", ")}`
      : null,
    repeated.length > 0 ? `repeated column(s) ${repeated.join(", ")}` : null,
  ].filter(Boolean);
  return {
    ok: false,
    reason: `header: ${problems.join("; ")}. The columns are ${[...KNOWN_COLUMNS].join(", ")}`,
    details: { missing, unknown, repeated },
  };
}

function rowToEvent(header: string[], record: string[], uploadTime: string): CsvEvent {
  // An empty cell is an absent value: optional columns take their default, required ones
  // are reported missing by the contract.
  const cells = new Map<string, string>();
  header.forEach((name, i) => {
    const value = record[i];
    if (value !== undefined && value !== "") cells.set(name, value);
  });

  const data: Record<string, string | number> = {};
  for (const column of CSV_DATA_COLUMNS) {
    const value = cells.get(column);
    if (value === undefined) continue;
    data[column] = INTEGER_COLUMNS.has(column) && INTEGER_TEXT.test(value) ? Number(value) : value;
  }
  const envelope = (column: EnvelopeColumn) => cells.get(column);
  return {
    specversion: "1.0",
    id: envelope("id") ?? contentId(cells),
    source: envelope("source") ?? CSV_DEFAULT_SOURCE,
    type: CSV_EVENT_TYPE,
    time: envelope("time") ?? uploadTime,
    data,
  };
}

/**
 * The same cells give the same id, whatever the column order, so uploading a file twice
 * (or two files that share rows) stores each result once. The upload time is not part of
 * it; a `time` column is.
 */
function contentId(cells: Map<string, string>): string {
  const content = [...KNOWN_COLUMNS]
    .filter((column) => column !== "id")
    .map((column) => [column, cells.get(column) ?? null]);
  return `csv-${createHash("sha256").update(JSON.stringify(content)).digest("hex")}`;
}
