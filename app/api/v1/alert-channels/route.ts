import { getDb } from "@/db";
import { handleChannelCollection } from "@/lib/alerts/http";

export const dynamic = "force-dynamic";

export const GET = async (request: Request) => handleChannelCollection(await getDb(), request);
export const POST = GET;
