import { getDb } from "@/db";
import { handleListCorrections } from "@/lib/corrections/api";

export const dynamic = "force-dynamic";

export async function GET(request: Request) {
  return handleListCorrections(await getDb(), request);
}
