import { getDb } from "@/db";
import { handleSilenceItem } from "@/lib/alerts/http";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ id: string }> };

export const GET = async (request: Request, { params }: Context) =>
  handleSilenceItem(await getDb(), request, (await params).id);
export const DELETE = GET;
