import { getDb } from "@/db";
import { handleSilenceCollection } from "@/lib/alerts/http";

export const dynamic = "force-dynamic";

export const GET = async (request: Request) => handleSilenceCollection(await getDb(), request);
export const POST = GET;
