import { handleGetException } from "@/lib/exceptions/api";
import { idRoute } from "../../id-route";

export const dynamic = "force-dynamic";

export const GET = idRoute(handleGetException);
