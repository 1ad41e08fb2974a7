import { getDb } from "@/db";
import { handleFxRates } from "@/lib/money/http";

export const dynamic = "force-dynamic";

export const GET = async (request: Request) => handleFxRates(await getDb(), request);
export const POST = GET;
