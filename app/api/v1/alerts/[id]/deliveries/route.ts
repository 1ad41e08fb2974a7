import { getDb } from "@/db";
import { handleAlertDeliveries } from "@/lib/alerts/http";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ id: string }> };

export const GET = async (request: Request, { params }: Context) =>
  handleAlertDeliveries(await getDb(), request, (await params).id);
