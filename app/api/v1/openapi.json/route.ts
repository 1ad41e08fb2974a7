import { openApiDocument } from "@/lib/contract/openapi";
import { handle, json } from "@/lib/http/respond";

/** Public on purpose: the contract is documentation, and holds nothing but the schemas. */
export const GET = handle(async () => json(openApiDocument()));
