import { pageRouteOf } from "@/lib/auth/route-access";

/** The filters the shell can show above a page. */
export type ShellFilter = "entity" | "range";

/*
 * Which of the shell's filters each page reads. A filter shown above a page that ignores it
 * lies about what the numbers cover, so every page not listed here shows none: admin pages
 * and the profile are not scoped at all, Close has its own entity and month pickers, and a
 * detail page (one exception, one event) is already a single record.
 */
export const FILTERS_BY_ROUTE: Record<string, readonly ShellFilter[]> = {
  "/overview": ["entity", "range"],
  "/overview/[kpi]": ["entity", "range"],
  // Volumes and rejections are counted over the range for every entity together.
  "/ingestion": ["range"],
  // The queue has its own age filter instead of a range (lib/exceptions/queue-params.ts).
  "/exceptions": ["entity"],
};

export function shellFiltersFor(pathname: string): readonly ShellFilter[] {
  const route = pageRouteOf(pathname);
  return (route && FILTERS_BY_ROUTE[route]) || [];
}
