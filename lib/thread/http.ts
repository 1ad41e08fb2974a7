import type { Db } from "@/db/client";
import { guardApi } from "@/lib/auth/session";
import { CustomerThreadQuery, SearchQuery } from "@/lib/contract/thread-api";
import { NotFound } from "@/lib/errors";
import { parseBody } from "@/lib/exceptions/api";
import { handle, json } from "@/lib/http/respond";
import { defaultRange, loadCustomerThread, loadInvoiceThread } from "./load";
import { loadContractThread } from "./contract";
import { search } from "./search";

/*
 * The revenue thread and search over HTTP. Whoever may read KPIs or exceptions may read
 * threads (the threads:read permission), as may a service key with the read scope.
 */

/** Ids are at most 200 characters (lib/contract Identifier): a longer one names nothing. */
const MAX_ID = 200;

export const handleInvoiceThread = handle(async (db: Db, request: Request, id: string) => {
  await guardApi(db, request, "GET /api/v1/threads/invoice/[id]");
  const thread = id.length <= MAX_ID ? await loadInvoiceThread(db, id) : null;
  if (!thread) throw new NotFound("No such invoice");
  return json(thread);
});

export const handleCustomerThread = handle(async (db: Db, request: Request, id: string) => {
  await guardApi(db, request, "GET /api/v1/threads/customer/[id]");
  const url = new URL(request.url);
  const query = parseBody(CustomerThreadQuery, {
    from: url.searchParams.get("from") ?? undefined,
    to: url.searchParams.get("to") ?? undefined,
  });
  const now = new Date();
  const range =
    query.from && query.to
      ? { from: new Date(query.from), to: new Date(query.to) }
      : defaultRange(now);
  const thread = id.length <= MAX_ID ? await loadCustomerThread(db, id, range, now) : null;
  if (!thread) throw new NotFound("No such customer");
  return json(thread);
});

export const handleContractThread = handle(async (db: Db, request: Request, id: string) => {
  await guardApi(db, request, "GET /api/v1/threads/contract/[id]");
  const thread = id.length <= MAX_ID ? await loadContractThread(db, id, new Date()) : null;
  if (!thread) throw new NotFound("No such contract");
  return json(thread);
});

export const handleSearch = handle(async (db: Db, request: Request) => {
  await guardApi(db, request, "GET /api/v1/search");
  const url = new URL(request.url);
  const { q } = parseBody(SearchQuery, { q: url.searchParams.get("q") ?? "" });
  return json({ results: await search(db, q) });
});
