import { getDb } from "@/db";
import { handleRetryIncident } from "@/lib/exceptions/incident-http";

export const dynamic = "force-dynamic";

export async function POST(request: Request, context: { params: Promise<{ id: string }> }) {
  return handleRetryIncident(await getDb(), request, (await context.params).id);
}
