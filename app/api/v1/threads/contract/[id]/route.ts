import { getDb } from "@/db";
import { handleContractThread } from "@/lib/thread/http";

export const dynamic = "force-dynamic";

export async function GET(request: Request, context: { params: Promise<{ id: string }> }) {
  return handleContractThread(await getDb(), request, (await context.params).id);
}
