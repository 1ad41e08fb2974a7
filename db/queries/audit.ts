import "server-only";
import { and, desc, eq, gte, ilike, lt, or, type SQL } from "drizzle-orm";
import type { Db } from "../client";
import { auditLog } from "../schema";

export interface ListAuditParams {
  action?: string;
  /** Matches the actor's label (email) or id, case-insensitive substring. */
  actor?: string;
  targetId?: string;
  from?: Date;
  to?: Date;
  before?: { at: Date; id: number };
  limit: number;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Newest first, keyset-paginated on (at, id). */
export async function listAudit(db: Db, params: ListAuditParams) {
  const filters: (SQL | undefined)[] = [
    params.action ? ilike(auditLog.action, `${escapeLike(params.action)}%`) : undefined,
    params.actor
      ? or(
          ilike(auditLog.actorLabel, `%${escapeLike(params.actor)}%`),
          eq(auditLog.actorId, params.actor),
        )
      : undefined,
    params.targetId ? eq(auditLog.targetId, params.targetId) : undefined,
    params.from ? gte(auditLog.at, params.from) : undefined,
    params.to ? lt(auditLog.at, params.to) : undefined,
    params.before
      ? or(
          lt(auditLog.at, params.before.at),
          and(eq(auditLog.at, params.before.at), lt(auditLog.id, params.before.id)),
        )
      : undefined,
  ];
  return db
    .select()
    .from(auditLog)
    .where(and(...filters))
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(params.limit);
}
