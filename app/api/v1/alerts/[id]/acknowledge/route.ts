import { getDb } from "@/db";
import { handleAcknowledge } from "@/lib/alerts/http";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ id: string }> };

export const POST = async (request: Request, { params }: Context) =>
  handleAcknowledge(await getDb(), request, (await params).id);
