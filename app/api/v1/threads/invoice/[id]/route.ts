import { getDb } from "@/db";
import { handleInvoiceThread } from "@/lib/thread/http";

export const dynamic = "force-dynamic";

export async function GET(request: Request, context: { params: Promise<{ id: string }> }) {
  return handleInvoiceThread(await getDb(), request, (await context.params).id);
}
