import { z } from "zod";
import type { Db } from "@/db/client";
import { listAudit } from "@/db/queries/audit";
import { decodeCursor, encodeCursor } from "@/lib/pagination";

export const AuditFilters = z.object({
  action: z.string().trim().max(100).optional().catch(undefined),
  actor: z.string().trim().max(320).optional().catch(undefined),
  target: z.string().trim().max(200).optional().catch(undefined),
  before: z.string().max(200).optional().catch(undefined),
});
export type AuditFilters = z.infer<typeof AuditFilters>;

const AuditCursor = z.object({ at: z.iso.datetime(), id: z.int() });
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
