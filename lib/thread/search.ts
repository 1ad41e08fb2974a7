import type { Db } from "@/db/client";
import { searchAll, type SearchQueryKind, type SearchRow } from "@/db/queries/search";
import { SEARCH_KINDS, type SearchKind, type SearchResult } from "@/lib/contract/thread-api";
import { formatMoney } from "@/lib/format";
import { contractThreadHref, customerThreadHref, eventHref, invoiceThreadHref } from "./vocabulary";

/*
 * The shell's search: any customer, invoice, posting, payment, contract, reconciliation run,
 * exception, incident or event (by its number or CloudEvent id) by its id or a prefix of it (db/queries/search.ts), at most
 * PER_KIND_LIMIT of each kind, each with the page it opens: the revenue thread where the
 * record belongs to one, else the record itself.
 */

export const PER_KIND_LIMIT = 5;

/** The kinds in the order their results are listed: the contract's order. */
export const KIND_ORDER: readonly SearchQueryKind[] = SEARCH_KINDS;

/** "12500 USD" (minor units and code, as the query writes it) as money. */
function money(text: string | null): string {
  const [minor, currency] = (text ?? "").split(" ");
  return minor && currency ? formatMoney(minor, currency) : "";
}

const join = (...parts: (string | null | undefined)[]) => parts.filter(Boolean).join(" · ");

const PRESENT: Record<SearchKind, (r: SearchRow) => { title: string; url: string }> = {
  customer: (r) => ({ title: `Customer ${r.id}`, url: customerThreadHref(r.id) }),
  invoice: (r) => ({
    title: join(`Invoice ${r.id}`, r.a, r.b, money(r.c)),
    url: invoiceThreadHref(r.id),
  }),
  posting: (r) => ({
    title: join(`ERP posting ${r.id}`, `invoice ${r.a}`, r.b),
    url: invoiceThreadHref(r.a ?? ""),
  }),
  payment: (r) => ({
    title: join(`Payment ${r.id}`, r.a, r.b ? `invoice ${r.b}` : "no invoice", money(r.c)),
    url: r.b ? invoiceThreadHref(r.b) : customerThreadHref(r.a ?? ""),
  }),
  contract: (r) => ({
    title: join(`Contract ${r.id}`, r.a, r.b),
    url: contractThreadHref(r.id),
  }),
  reconciliation_run: (r) => ({
    title: join(`Reconciliation run ${r.id}`, r.a?.replace(/_/g, " "), r.b),
    url: eventHref(Number(r.c)),
  }),
  exception: (r) => ({
    title: join(`Exception: ${r.a}`, r.b?.replace(/_/g, " ")),
    url: `/exceptions/${r.id}`,
  }),
  incident: (r) => ({
    title: join(`Incident: ${r.a}`, r.b?.replace(/_/g, " ")),
    url: `/incidents/${r.id}`,
  }),
  event: (r) => ({
    title: join(`Event #${r.id}`, r.a, r.b, r.c ? `id ${r.c}` : null),
    url: eventHref(Number(r.id)),
  }),
};

export async function search(db: Db, q: string): Promise<SearchResult[]> {
  const rows = await searchAll(db, KIND_ORDER, q, PER_KIND_LIMIT);
  return rows.map(({ kind, ...row }) => ({ kind, id: row.id, ...PRESENT[kind](row) }));
}
