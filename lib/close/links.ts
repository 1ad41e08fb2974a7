import type { Permission } from "@/lib/auth/permissions";
import type { AccountingPeriodRange } from "./period";

/*
 * Where a blocker can be looked into. A link names the permission its page needs, so the
 * close page can fall back to the check's explanation for a reader who may not open it (an
 * executive sees close readiness but not the exception queues).
 */
export interface BlockerLink {
  href: string;
  label: string;
  /** Null for a link every close reader may follow (an anchor on the close page itself). */
  permission: Permission | null;
}

/** The explanation of a check on the close page: what it measures and who clears it. */
export function checkAnchor(checkKey: string): BlockerLink {
  return { href: `#check-${checkKey}`, label: "What this check means", permission: null };
}

export function exceptionLink(exceptionId: string): BlockerLink {
  return {
    href: `/exceptions/${encodeURIComponent(exceptionId)}`,
    label: "Open the exception",
    permission: "exceptions:read",
  };
}

/**
 * The ingestion view over the period: which sources went silent, their daily volume and what
 * of theirs was rejected, the usual causes of missing usage.
 */
export function ingestionLink(entity: string, period: AccountingPeriodRange): BlockerLink {
  const query = new URLSearchParams({
    entity,
    range: "custom",
    from: period.start.toISOString(),
    to: period.end.toISOString(),
  });
  return {
    href: `/ingestion?${query.toString()}`,
    label: "See ingestion health by source",
    permission: "ingestion:read",
  };
}

/**
 * The exception queue filtered to what a check is about, for the reader who works the
 * blockers rather than one of them (lib/exceptions/queue-params.ts reads these parameters).
 */
export function queueLink(
  entity: string,
  filter: { type: string } | { status: "awaiting_approval" },
): BlockerLink {
  const query = new URLSearchParams({ ...filter, entity });
  return {
    href: `/exceptions?${query.toString()}`,
    label: "Open in the exception queue",
    permission: "exceptions:read",
  };
}

/** One entity-month's checklist on the close page (the portfolio's cells link here). */
export function checklistHref(entity: string, periodKey: string): string {
  return `/close?${new URLSearchParams({ entity, period: periodKey }).toString()}`;
}
