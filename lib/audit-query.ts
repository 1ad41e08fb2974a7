import { z } from "zod";
import type { Db } from "@/db/client";
import { listAudit } from "@/db/queries/audit";
import { Timestamp } from "@/lib/contract";
import { storableText } from "@/lib/contract/storable";
import { decodeCursor, encodeCursor } from "@/lib/pagination";

/**
 * PostgreSQL refuses U+0000 in a parameter (an error page, not "no match"). No stored text
 * holds one, so the filter matches nothing either way; U+FFFD in its place says the same.
 */
const FilterText = (max: number) =>
  z.string().trim().max(max).transform(storableText).optional().catch(undefined);

export const AuditFilters = z.object({
  action: FilterText(100),
  actor: FilterText(320),
  target: FilterText(200),
  before: z.string().max(200).optional().catch(undefined),
});
export type AuditFilters = z.infer<typeof AuditFilters>;

const AuditCursor = z.object({ at: Timestamp, id: z.int() });
export const AUDIT_PAGE_SIZE = 50;

/** One page of the audit log, newest first, with the cursor of the next (older) page. */
export async function auditPage(db: Db, filters: AuditFilters) {
  const before = filters.before ? decodeCursor(filters.before, AuditCursor) : undefined;
  const rows = await listAudit(db, {
    action: filters.action || undefined,
    actor: filters.actor || undefined,
    targetId: filters.target || undefined,
    before: before ? { at: new Date(before.at), id: before.id } : undefined,
    limit: AUDIT_PAGE_SIZE + 1,
  });
  const page = rows.slice(0, AUDIT_PAGE_SIZE);
  const last = page.at(-1);
  return {
    entries: page,
    olderCursor:
      rows.length > AUDIT_PAGE_SIZE && last
        ? encodeCursor({ at: last.at.toISOString(), id: last.id })
        : null,
  };
}
