import { getDb } from "@/db";
import { handleAlertCounts } from "@/lib/alerts/http";

export const dynamic = "force-dynamic";

export const GET = async (request: Request) => handleAlertCounts(await getDb(), request);
