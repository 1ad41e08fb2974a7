import { getDb } from "@/db";
import { handleRuleCollection } from "@/lib/alerts/http";

export const dynamic = "force-dynamic";

export const GET = async (request: Request) => handleRuleCollection(await getDb(), request);
export const POST = GET;
