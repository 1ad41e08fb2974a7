import { getDb } from "@/db";
import { handleAlertList } from "@/lib/alerts/http";

export const dynamic = "force-dynamic";

export const GET = async (request: Request) => handleAlertList(await getDb(), request);
