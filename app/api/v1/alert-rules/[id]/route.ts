import { getDb } from "@/db";
import { handleRuleItem } from "@/lib/alerts/http";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ id: string }> };

export const GET = async (request: Request, { params }: Context) =>
  handleRuleItem(await getDb(), request, (await params).id);
export const PATCH = GET;
export const DELETE = GET;
