import { handleRetryIncident } from "@/lib/exceptions/incident-http";
import { idRoute } from "../../../id-route";

export const dynamic = "force-dynamic";

export const POST = idRoute(handleRetryIncident);
