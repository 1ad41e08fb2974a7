import { getDb, type Db } from "@/db";

/** What Next.js hands a route handler under an `[id]` segment. */
type IdContext = { params: Promise<{ id: string }> };

/**
 * The route handler of one resource under `[id]`: the handler in lib/ is given the database,
 * the request and the id from the path.
 */
export function idRoute(handler: (db: Db, request: Request, id: string) => Promise<Response>) {
  return async (request: Request, { params }: IdContext) =>
    handler(await getDb(), request, (await params).id);
}
