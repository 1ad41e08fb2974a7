import { handleAlertDeliveries } from "@/lib/alerts/http";
import { idRoute } from "../../../id-route";

export const dynamic = "force-dynamic";

export const GET = idRoute(handleAlertDeliveries);
