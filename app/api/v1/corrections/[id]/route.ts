import { getDb } from "@/db";
import { handleGetCorrection } from "@/lib/corrections/api";

export const dynamic = "force-dynamic";

export async function GET(request: Request, context: { params: Promise<{ id: string }> }) {
  return handleGetCorrection(await getDb(), request, (await context.params).id);
}
