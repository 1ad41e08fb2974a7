import { getDb } from "@/db";
import { handle } from "@/lib/http/respond";
import { handleKpis } from "@/lib/kpi/http";

export const dynamic = "force-dynamic";

export const GET = handle(async (request: Request) => handleKpis(await getDb(), request));
