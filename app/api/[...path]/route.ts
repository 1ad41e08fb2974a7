import { NotFound } from "@/lib/errors";
import { errorResponse } from "@/lib/http/respond";

/*
 * Any /api path no route handles: a JSON 404 in the API's error shape, rather than the
 * HTML not-found page, so a client that mistypes a path gets an answer it can read.
 * More specific routes always win over this catch-all.
 */
function noSuchRoute(request: Request): Response {
  const { pathname } = new URL(request.url);
  return errorResponse(new NotFound(`No API route ${request.method} ${pathname}`));
}

export const GET = noSuchRoute;
export const POST = noSuchRoute;
export const PUT = noSuchRoute;
export const PATCH = noSuchRoute;
export const DELETE = noSuchRoute;
