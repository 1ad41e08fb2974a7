import { getDb } from "@/db";
import { handleListIncidents } from "@/lib/exceptions/incident-http";

export const dynamic = "force-dynamic";

export async function GET(request: Request) {
  return handleListIncidents(await getDb(), request);
}
