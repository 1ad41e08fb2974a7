import "server-only";
import { notFound } from "next/navigation";
import { getDb } from "@/db";
import { eventExists } from "@/db/queries/raw-event";
import { exceptionExists } from "@/db/queries/exception-detail";
import { customerKnown, findInvoice } from "@/db/queries/thread";
import { isDrilldownSlug } from "@/lib/kpi/drilldown";

/*
 * Whether the thing a dynamic page shows exists, asked by the app layout before anything is
 * sent. A page under a loading skeleton streams its shell with status 200 before the page
 * itself runs, so a notFound() in the page could only show "not found" under a 200; checked
 * here, a missing exception or an unknown KPI answers 404. Pages keep their own check.
 */

/** The event sequence numbers a URL may name (the page refuses longer ones too). */
export const EVENT_SEQ = /^\d{1,15}$/;

/** Per page route, given the route's dynamic segment: does it name something that exists? */
const EXISTS: Record<string, (segment: string) => Promise<boolean> | boolean> = {
  "/exceptions/[id]": async (id) => exceptionExists(await getDb(), id),
  "/events/[seq]": async (seq) => EVENT_SEQ.test(seq) && eventExists(await getDb(), Number(seq)),
  "/overview/[kpi]": (kpi) => isDrilldownSlug(kpi),
  // Ids are at most 200 characters (lib/contract Identifier): a longer one names nothing.
  "/threads/invoice/[id]": async (id) =>
    id.length <= 200 && (await findInvoice(await getDb(), id)) !== null,
  "/threads/customer/[id]": async (id) => id.length <= 200 && customerKnown(await getDb(), id),
};

/** The last path segment, decoded as Next.js gives it to the page's params. */
function lastSegment(pathname: string): string {
  const raw = pathname.replace(/\/+$/, "").split("/").pop() ?? "";
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** Answers 404 (notFound()) when `pathname`, a request for page `route`, names nothing. */
export async function requirePageExists(route: string, pathname: string): Promise<void> {
  const exists = EXISTS[route];
  if (exists && !(await exists(lastSegment(pathname)))) notFound();
}
