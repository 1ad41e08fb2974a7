import { handleDigestItem } from "@/lib/digests/http";
import { idRoute } from "../../id-route";

export const dynamic = "force-dynamic";

export const GET = idRoute(handleDigestItem);
export const PATCH = GET;
export const DELETE = GET;
