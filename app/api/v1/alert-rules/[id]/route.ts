import { handleRuleItem } from "@/lib/alerts/http";
import { idRoute } from "../../id-route";

export const dynamic = "force-dynamic";

export const GET = idRoute(handleRuleItem);
export const PATCH = GET;
export const DELETE = GET;
