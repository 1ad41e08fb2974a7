import { getDb } from "@/db";
import { handleRuleBacktest } from "@/lib/alerts/http";

export const dynamic = "force-dynamic";

export const POST = async (request: Request) => handleRuleBacktest(await getDb(), request);
