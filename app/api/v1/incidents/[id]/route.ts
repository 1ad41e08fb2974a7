import { handleGetIncident } from "@/lib/exceptions/incident-http";
import { idRoute } from "../../id-route";

export const dynamic = "force-dynamic";

export const GET = idRoute(handleGetIncident);
