import { handleChannelItem } from "@/lib/alerts/http";
import { idRoute } from "../../id-route";

export const dynamic = "force-dynamic";

export const GET = idRoute(handleChannelItem);
export const PATCH = GET;
export const DELETE = GET;
