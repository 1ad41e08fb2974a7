import type { Db } from "@/db/client";
import { guardApi } from "@/lib/auth/session";
import { writeLimiter } from "@/lib/http/write-limit";
import { InvalidInput, PayloadTooLarge, UnsupportedMediaType } from "@/lib/errors";
import { decodeUtf8, readBodyCapped } from "@/lib/http/body";
import { handle, json } from "@/lib/http/respond";
import { CSV_MAX_BYTES, parseReconciliationCsv } from "./csv";
import { ingestItems, recordUnreadableBody } from "./ingest";

export interface CsvUploadResult {
  accepted: number;
  duplicates: number;
  rejected: { index: number; line: number; id: string | null; errors: string[] }[];
}

const CSV_MEDIA_TYPES = ["text/csv", "application/csv"];
const MULTIPART = "multipart/form-data";
/** Room for the multipart boundaries and part headers around a file at the size limit. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

/**
 * POST /api/v1/reconciliation-results/upload once the caller is known: reads the file,
 * turns its rows into reconciliation.result events and ingests them like any batch.
 * `apiKeyId` is null when a signed-in user uploads through the UI.
 */
export async function handleCsvUpload(
  db: Db,
  request: Request,
  apiKeyId: string | null,
): Promise<CsvUploadResult> {
  const text = await readCsvFile(request);
  if (text.trim() === "") throw new InvalidInput("file: is empty");
  const context = { apiKeyId, channel: "csv" as const };
  const parsed = parseReconciliationCsv(text, new Date());
  if (!parsed.ok) {
    // Kept like an unreadable JSON body: nothing sent is dropped without a trace.
    await recordUnreadableBody(db, text, parsed.reason, context);
    throw new InvalidInput(parsed.reason, parsed.details);
  }
  const { rows } = parsed;
  const result = await ingestItems(
    db,
    rows.map((row) => row.event),
    context,
  );
  return {
    accepted: result.accepted,
    duplicates: result.duplicates,
    rejected: result.rejected.map(({ index, id, errors }) => ({
      index,
      line: rows[index]!.line,
      id,
      errors,
    })),
  };
}

/**
 * The route: an API key with the ingest scope, or a signed-in user allowed to work on
 * ingestion (lib/auth/route-access.ts). Checked before the file is read, so an anonymous
 * sender can neither make us buffer 5 MB nor fill rejected_events.
 */
export const handleCsvUploadRequest = handle(async (db: Db, request: Request) => {
  const principal = await guardApi(db, request, "POST /api/v1/reconciliation-results/upload");
  // An upload is a write like any other through the API: it counts against the caller's limit.
  writeLimiter.take(principal);
  const apiKeyId = principal.kind === "api_key" ? principal.key.id : null;
  return json(await handleCsvUpload(db, request, apiKeyId));
});

/** The file's text from a `text/csv` body or the `file` field of a multipart form. */
export async function readCsvFile(request: Request): Promise<string> {
  const contentType = request.headers.get("content-type") ?? "";
  const mediaType = contentType.split(";")[0]!.trim().toLowerCase();
  if (CSV_MEDIA_TYPES.includes(mediaType)) {
    return decodeUtf8(await readBodyCapped(request, CSV_MAX_BYTES));
  }
  if (mediaType !== MULTIPART) {
    throw new UnsupportedMediaType(
      `Content-Type must be text/csv or ${MULTIPART} with a "file" field; got ${mediaType.slice(0, 100) || "none"}`,
    );
  }
  const body = await readBodyCapped(request, CSV_MAX_BYTES + MULTIPART_OVERHEAD_BYTES).catch(
    (error: unknown) => {
      // The sender chose a file, not a form size: state the limit they can act on.
      if (error instanceof PayloadTooLarge) {
        throw new PayloadTooLarge(`The file exceeds the limit of ${CSV_MAX_BYTES} bytes`);
      }
      throw error;
    },
  );
  let form: FormData;
  try {
    form = await new Response(body as BodyInit, {
      headers: { "content-type": contentType },
    }).formData();
  } catch {
    throw new InvalidInput(`body: not valid ${MULTIPART}`);
  }
  const file = form.get("file");
  if (file === null) throw new InvalidInput('body: the form has no "file" field');
  const size = typeof file === "string" ? Buffer.byteLength(file, "utf8") : file.size;
  if (size > CSV_MAX_BYTES) {
    throw new PayloadTooLarge(`The file is ${size} bytes; the limit is ${CSV_MAX_BYTES}`);
  }
  // A text field (curl -F 'file=<results.csv') is as good as a file part.
  if (typeof file === "string") return file;
  return decodeUtf8(new Uint8Array(await file.arrayBuffer()));
}
