import type { Db } from "@/db/client";
import { openExceptions } from "@/db/queries/kpis";
import type { ExceptionType } from "@/db/schema";
import { serializeQueueParams } from "@/lib/exceptions/queue-params";
import { formatCount } from "@/lib/format";
import { DRILLDOWNS, type DrilldownSlug, type DrilldownSpec } from "./drilldown";
import type { KpiReport } from "./engine";

/*
 * What a KPI's tile and drill-down say about the exceptions of its kind open now, counted as the
 * exceptions queue counts them, whatever the range on screen.
 */

/**
 * Exceptions of the tile's own kind still open now, whatever the range: shown beside the
 * range's number so that "0 breaks in range" never reads as "nothing to do".
 */
export interface OpenNow {
  type: ExceptionType;
  count: number;
  /** "14 reconciliation breaks open now". */
  text: string;
  /** The exceptions queue filtered to this type (and the entity on screen). */
  href: string;
}

type OpenType = NonNullable<DrilldownSpec["openType"]>;

/** The exceptions queue filtered to one type and the entity on screen (the queue has no time range). */
export const queueLink = (type: ExceptionType, entity: string | null) =>
  `/exceptions${serializeQueueParams({ type, entity })}`;

/** The open exceptions of one type, as the queue's tab for that type counts them. */
function openNowOf(open: OpenType, count: number, entity: string | null): OpenNow {
  return {
    type: open.type,
    count,
    text:
      count === 0
        ? `No ${open.noun[1]} open now`
        : `${formatCount(count)} ${count === 1 ? open.noun[0] : open.noun[1]} open now`,
    href: queueLink(open.type, entity),
  };
}

/** A tile's open-now line, from the report's count of open exceptions by type. */
export function openNowInReport(report: KpiReport, slug: DrilldownSlug): OpenNow | null {
  const open: OpenType | undefined = (DRILLDOWNS[slug] as DrilldownSpec).openType;
  if (!open) return null;
  return openNowOf(open, report.exceptions.byType[open.type]?.open ?? 0, report.range.entity);
}

/**
 * The open-now line of a drill-down page, counted as the tile and the queue count it: open,
 * in progress or awaiting approval, for the entity on screen, whatever the range.
 */
export async function loadOpenNow(
  db: Db,
  slug: DrilldownSlug,
  entity: string | null,
  now = new Date(),
): Promise<OpenNow | null> {
  const open: OpenType | undefined = (DRILLDOWNS[slug] as DrilldownSpec).openType;
  if (!open) return null;
  const rows = await openExceptions(db, { from: now, to: now, entity }, now);
  const count = Number(rows.find((r) => r.type === open.type)?.open ?? 0);
  return openNowOf(open, count, entity);
}
