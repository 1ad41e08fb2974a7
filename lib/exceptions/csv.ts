import type { Db } from "@/db/client";
import type { ExceptionListRow } from "@/db/queries/exception-rows";
import { csvCell } from "@/lib/csv-cell";
import { decimalAmount } from "@/lib/format";
import { allMatching, type Viewer } from "./queue";
import type { QueueParams } from "./queue-params";
import { exceptionAgeMs, slaLevel, type SlaPolicy } from "./sla";
import { loadSlaPolicy } from "./sla-settings";

/*
 * The queue's current filter as a CSV file: every matching exception in the queue's order,
 * streamed a thousand rows at a time, up to EXPORT_LIMIT rows. Money is given as integer
 * minor units (exact, for systems) and as a decimal amount (for spreadsheets), in its own
 * currency and in the reporting currency with the rate used; blank where unknown.
 */

/** A spreadsheet's worth; beyond it the export is a data dump, which GET /api/v1/exceptions pages through. */
export const EXPORT_LIMIT = 50_000;

export const CSV_COLUMNS = [
  "id",
  "type",
  "status",
  "severity",
  "title",
  "entity",
  "amount_minor",
  "amount",
  "currency",
  "owner",
  "opened_at",
  "age_hours",
  "sla",
  "updated_at",
  "closed_at",
  "resolution_code",
  "invoice_id",
  "posting_id",
  "payment_id",
  "customer_id",
  "run_id",
  "contract_id",
  "reporting_amount_minor",
  "reporting_amount",
  "reporting_currency",
  "reporting_rate",
  "reporting_rate_date",
  "link",
] as const;

/** The amount in the reporting currency and the rate used; blank where there is none. */
function reportingCells(row: ExceptionListRow): string[] {
  const converted = row.amountAtRiskReporting;
  if (!converted) return ["", "", csvCell(row.reportingCurrency), "", ""];
  return [
    String(converted.minor),
    decimalAmount(converted.minor, converted.currency),
    converted.currency,
    converted.rate,
    converted.rateDate ?? "",
  ];
}

export function csvLine(
  row: ExceptionListRow,
  origin: string,
  now: Date,
  policy: SlaPolicy,
): string {
  const money = row.amountMinor !== null && row.currency !== null;
  const ageMs = exceptionAgeMs(row.openedAt, row.closedAt, now);
  return [
    row.id,
    row.type,
    row.status,
    row.severity,
    csvCell(row.title),
    csvCell(row.entity),
    money ? String(row.amountMinor) : "",
    money ? decimalAmount(row.amountMinor!, row.currency!) : "",
    csvCell(row.currency),
    csvCell(row.ownerEmail),
    row.openedAt.toISOString(),
    (ageMs / 3_600_000).toFixed(1),
    row.closedAt ? "" : slaLevel(ageMs, policy[row.type]),
    row.updatedAt.toISOString(),
    row.closedAt?.toISOString() ?? "",
    csvCell(row.resolutionCode),
    csvCell(row.invoiceId),
    csvCell(row.postingId),
    csvCell(row.paymentId),
    csvCell(row.customerId),
    csvCell(row.runId),
    csvCell(row.contractId),
    ...reportingCells(row),
    `${origin}/exceptions/${row.id}`,
  ].join(",");
}

/** The export as a byte stream: the header, then rows as the database yields them. */
export function exceptionsCsvStream(
  db: Db,
  params: QueueParams,
  viewer: Viewer | null,
  origin: string,
  now = new Date(),
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const rows = allMatching(db, params, viewer, { limit: EXPORT_LIMIT, now });
  const policy = loadSlaPolicy(db);
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(`${CSV_COLUMNS.join(",")}\r\n`));
    },
    async pull(controller) {
      try {
        const [next, sla] = await Promise.all([rows.next(), policy]);
        if (next.done) {
          controller.close();
          return;
        }
        controller.enqueue(
          encoder.encode(next.value.map((row) => `${csvLine(row, origin, now, sla)}\r\n`).join("")),
        );
      } catch (error) {
        console.error("CSV export of exceptions failed mid-stream", error);
        controller.error(error);
      }
    },
    async cancel() {
      await rows.return(undefined);
    },
  });
}
