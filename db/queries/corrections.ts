import "server-only";
import { and, asc, desc, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { firstOrNull } from "@/db/rows";
import {
  apiKeys,
  approvalThresholds,
  correctionDecisions,
  correctionExecutions,
  corrections,
  outboxCommands,
  users,
  type Correction,
  type CorrectionStatus,
} from "@/db/schema";

export interface ListCorrectionsParams {
  status?: CorrectionStatus;
  limit: number;
  /**
   * The id of the last row of the previous page. Compared by the row's own stored time, so
   * the microseconds a JavaScript Date would drop cannot make a page skip or repeat a row.
   */
  afterId?: string;
}

/** Corrections newest first, one page at a time (keyset, so a page never skips or repeats). */
export async function listCorrections(
  db: Db,
  params: ListCorrectionsParams,
): Promise<{ items: Correction[]; more: boolean }> {
  const where: SQL[] = [];
  if (params.status) where.push(eq(corrections.status, params.status));
  if (params.afterId) {
    where.push(
      sql`(${corrections.proposedAt}, ${corrections.id}) <
        (select c.proposed_at, c.id from corrections c where c.id = ${params.afterId}::uuid)`,
    );
  }
  const rows = await db
    .select()
    .from(corrections)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(corrections.proposedAt), desc(corrections.id))
    .limit(params.limit + 1);
  return { items: rows.slice(0, params.limit), more: rows.length > params.limit };
}

export async function findCorrection(db: Db, id: string): Promise<Correction | null> {
  return firstOrNull(db.select().from(corrections).where(eq(corrections.id, id)).limit(1));
}

/** The entity's own approval threshold in `key.currency`, or null when it sets none. */
export async function findApprovalThreshold(
  db: Db,
  key: { entity: string; currency: string },
): Promise<number | null> {
  const [row] = await db
    .select({ thresholdMinor: approvalThresholds.thresholdMinor })
    .from(approvalThresholds)
    .where(
      and(eq(approvalThresholds.entity, key.entity), eq(approvalThresholds.currency, key.currency)),
    )
    .limit(1);
  return row?.thresholdMinor ?? null;
}

export type NewCorrection = typeof corrections.$inferInsert;

export async function insertCorrection(tx: Db, values: NewCorrection): Promise<Correction> {
  const [row] = await tx.insert(corrections).values(values).returning();
  return row!;
}

/** The correction, locked until the transaction ends: concurrent decisions on it queue. */
export async function lockCorrection(tx: Db, id: string): Promise<Correction | null> {
  return firstOrNull(
    tx.select().from(corrections).where(eq(corrections.id, id)).for("update").limit(1),
  );
}

export async function hasDecided(
  tx: Db,
  correctionId: string,
  deciderId: string,
): Promise<boolean> {
  const [earlier] = await tx
    .select({ id: correctionDecisions.id })
    .from(correctionDecisions)
    .where(
      and(
        eq(correctionDecisions.correctionId, correctionId),
        eq(correctionDecisions.deciderId, deciderId),
      ),
    )
    .limit(1);
  return earlier !== undefined;
}

export async function insertCorrectionDecision(
  tx: Db,
  decision: typeof correctionDecisions.$inferInsert,
): Promise<void> {
  await tx.insert(correctionDecisions).values(decision);
}

export async function countApprovals(tx: Db, correctionId: string): Promise<number> {
  const [{ approvals } = { approvals: 0 }] = await tx
    .select({ approvals: sql<number>`count(*)::int` })
    .from(correctionDecisions)
    .where(
      and(
        eq(correctionDecisions.correctionId, correctionId),
        eq(correctionDecisions.decision, "approve"),
      ),
    );
  return approvals;
}

/**
 * Records where the decisions leave the correction and bumps its version; a correction
 * still pending approval has no decision time yet.
 */
export async function updateCorrectionStatus(
  tx: Db,
  id: string,
  set: { status: CorrectionStatus; commandId: string | null },
): Promise<Correction> {
  const [row] = await tx
    .update(corrections)
    .set({
      status: set.status,
      commandId: set.commandId,
      decidedAt: set.status === "pending_approval" ? null : sql`now()`,
      version: sql`${corrections.version} + 1`,
    })
    .where(eq(corrections.id, id))
    .returning();
  return row!;
}

/** The corrections of one exception, oldest first, with the status of their outbox command. */
export async function correctionsWithCommandStatus(db: Db, exceptionId: string) {
  return db
    .select({ correction: corrections, commandStatus: outboxCommands.status })
    .from(corrections)
    .leftJoin(outboxCommands, eq(outboxCommands.id, corrections.commandId))
    .where(eq(corrections.exceptionId, exceptionId))
    .orderBy(asc(corrections.proposedAt));
}

/** Every decision on the corrections of one exception, oldest first. */
export async function decisionsOfException(db: Db, exceptionId: string) {
  return db
    .select()
    .from(correctionDecisions)
    .where(
      sql`${correctionDecisions.correctionId} in (select id from corrections where exception_id = ${exceptionId})`,
    )
    .orderBy(asc(correctionDecisions.at));
}

/** The target system's latest report on each of the corrections. */
export async function latestExecutions(db: Db, correctionIds: string[]) {
  return db
    .selectDistinctOn([correctionExecutions.correctionId])
    .from(correctionExecutions)
    .where(inArray(correctionExecutions.correctionId, correctionIds))
    .orderBy(
      correctionExecutions.correctionId,
      desc(correctionExecutions.eventTime),
      desc(correctionExecutions.eventId),
    );
}

/** The API keys that proposed corrections, by name. */
export async function apiKeyNames(db: Db, ids: string[]): Promise<{ id: string; name: string }[]> {
  if (ids.length === 0) return [];
  return db
    .select({ id: apiKeys.id, name: apiKeys.name })
    .from(apiKeys)
    .where(inArray(apiKeys.id, ids));
}

/** The people who proposed or decided corrections. */
export async function peopleNames(
  db: Db,
  ids: string[],
): Promise<{ id: string; email: string; name: string | null }[]> {
  if (ids.length === 0) return [];
  return db
    .select({ id: users.id, email: users.email, name: users.name })
    .from(users)
    .where(inArray(users.id, ids));
}
