import { getDb } from "@/db";
import { handle } from "@/lib/http/respond";
import { handleExceptionCounts } from "@/lib/exceptions/http";

export const dynamic = "force-dynamic";

export const GET = handle(async (request: Request) =>
  handleExceptionCounts(await getDb(), request),
);
