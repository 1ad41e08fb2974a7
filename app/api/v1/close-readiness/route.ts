import { getDb } from "@/db";
import { handle } from "@/lib/http/respond";
import { handleCloseReadiness } from "@/lib/close/http";

export const dynamic = "force-dynamic";

export const GET = handle(async (request: Request) => handleCloseReadiness(await getDb(), request));
