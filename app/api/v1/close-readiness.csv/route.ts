import { getDb } from "@/db";
import { handle } from "@/lib/http/respond";
import { handleCloseReadinessCsv } from "@/lib/close/http";

export const dynamic = "force-dynamic";

export const GET = handle(async (request: Request) =>
  handleCloseReadinessCsv(await getDb(), request),
);
