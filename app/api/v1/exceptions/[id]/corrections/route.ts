import { getDb } from "@/db";
import { handleProposeCorrection } from "@/lib/corrections/api";

export const dynamic = "force-dynamic";

export async function POST(request: Request, context: { params: Promise<{ id: string }> }) {
  return handleProposeCorrection(await getDb(), request, (await context.params).id);
}
