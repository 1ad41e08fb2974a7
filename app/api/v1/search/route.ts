import { getDb } from "@/db";
import { handleSearch } from "@/lib/thread/http";

export const dynamic = "force-dynamic";

export async function GET(request: Request) {
  return handleSearch(await getDb(), request);
}
