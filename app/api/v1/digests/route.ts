import { getDb } from "@/db";
import { handleDigestCollection } from "@/lib/digests/http";

export const dynamic = "force-dynamic";

export const GET = async (request: Request) => handleDigestCollection(await getDb(), request);
export const POST = GET;
