import { getDb } from "@/db";
import { handleGetException } from "@/lib/exceptions/api";

export const dynamic = "force-dynamic";

export async function GET(request: Request, context: { params: Promise<{ id: string }> }) {
  return handleGetException(await getDb(), request, (await context.params).id);
}
