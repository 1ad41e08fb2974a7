import { getDb } from "@/db";
import { handleBulk } from "@/lib/exceptions/api";

export const dynamic = "force-dynamic";

export async function POST(request: Request) {
  return handleBulk(await getDb(), request);
}
