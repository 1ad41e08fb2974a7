import { getDb } from "@/db";
import { handleDigestItem } from "@/lib/digests/http";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ id: string }> };

export const GET = async (request: Request, { params }: Context) =>
  handleDigestItem(await getDb(), request, (await params).id);
export const PATCH = GET;
export const DELETE = GET;
