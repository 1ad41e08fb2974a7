import "server-only";
import { and, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Db } from "../client";
import { firstOrNull } from "../rows";
import { alertChannels, alertRules, alerts, type AlertRule } from "../schema";

/* Alert rules as admins write them. A deleted rule is kept: its alerts' history names it. */

export type AlertRuleColumns = Pick<
  typeof alertRules.$inferInsert,
  | "name"
  | "severity"
  | "condition"
  | "entity"
  | "forDuration"
  | "repeatInterval"
  | "channelIds"
  | "enabled"
>;

/** How many of `ids` name an active channel. */
export async function countActiveChannels(db: Db, ids: string[]): Promise<number> {
  const found = await db
    .select({ id: alertChannels.id })
    .from(alertChannels)
    .where(and(inArray(alertChannels.id, ids), eq(alertChannels.active, true)));
  return found.length;
}

export async function insertRule(
  tx: Db,
  values: AlertRuleColumns & { ownerId: string | null },
): Promise<AlertRule> {
  const [rule] = await tx.insert(alertRules).values(values).returning();
  return rule!;
}

/** A rule that is not deleted. */
export async function findLiveRule(db: Db, id: string): Promise<AlertRule | null> {
  return firstOrNull(
    db
      .select()
      .from(alertRules)
      .where(and(eq(alertRules.id, id), isNull(alertRules.deletedAt))),
  );
}

/** The rules not deleted, newest first. */
export async function listLiveRules(db: Db): Promise<AlertRule[]> {
  return db
    .select()
    .from(alertRules)
    .where(isNull(alertRules.deletedAt))
    .orderBy(desc(alertRules.createdAt));
}

export async function updateRuleColumns(
  tx: Db,
  id: string,
  set: AlertRuleColumns,
): Promise<AlertRule> {
  const [rule] = await tx
    .update(alertRules)
    .set({ ...set, version: sql`${alertRules.version} + 1`, updatedAt: sql`now()` })
    .where(eq(alertRules.id, id))
    .returning();
  return rule!;
}

/**
 * Marks the rule deleted and disabled, drops its pending alerts and resolves its firing ones,
 * in that order.
 */
export async function markRuleDeleted(tx: Db, id: string): Promise<void> {
  await tx
    .update(alertRules)
    .set({
      deletedAt: sql`now()`,
      enabled: false,
      version: sql`${alertRules.version} + 1`,
      updatedAt: sql`now()`,
    })
    .where(eq(alertRules.id, id));
  await tx.delete(alerts).where(and(eq(alerts.ruleId, id), eq(alerts.state, "pending")));
  await tx
    .update(alerts)
    .set({ state: "resolved", resolvedAt: sql`now()`, version: sql`${alerts.version} + 1` })
    .where(and(eq(alerts.ruleId, id), eq(alerts.state, "firing")));
}
