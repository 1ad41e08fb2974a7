import { getDb } from "@/db";
import { handleGetIncident } from "@/lib/exceptions/incident-http";

export const dynamic = "force-dynamic";

export async function GET(request: Request, context: { params: Promise<{ id: string }> }) {
  return handleGetIncident(await getDb(), request, (await context.params).id);
}
