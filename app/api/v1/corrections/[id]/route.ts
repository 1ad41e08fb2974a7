import { handleGetCorrection } from "@/lib/corrections/api";
import { idRoute } from "../../id-route";

export const dynamic = "force-dynamic";

export const GET = idRoute(handleGetCorrection);
