import { getDb } from "@/db";
import { handle } from "@/lib/http/respond";
import { handleCsvUploadRequest } from "@/lib/ingest/csv-http";

export const dynamic = "force-dynamic";

export const POST = handle(async (request: Request) =>
  handleCsvUploadRequest(await getDb(), request),
);
