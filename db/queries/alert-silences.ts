import "server-only";
import { and, desc, eq, gt, isNull, sql, type Column } from "drizzle-orm";
import type { Db } from "../client";
import { alertRules, alertSilences, users, type AlertSilence } from "../schema";

/* Silences: a rule's notices (or one dimension's) withheld until a time. */

export interface SilenceRow {
  id: string;
  ruleId: string;
  ruleName: string;
  dimension: string | null;
  until: Date;
  comment: string;
  createdByName: string | null;
  createdAt: Date;
  liftedAt: Date | null;
  version: number;
}

const listed = {
  id: alertSilences.id,
  ruleId: alertSilences.ruleId,
  ruleName: alertRules.name,
  dimension: alertSilences.dimension,
  until: alertSilences.until,
  comment: alertSilences.comment,
  createdByName: sql<string | null>`coalesce(${users.name}, ${users.email})`,
  createdAt: alertSilences.createdAt,
  liftedAt: alertSilences.liftedAt,
  version: alertSilences.version,
};

export async function insertSilence(
  tx: Db,
  values: Pick<
    typeof alertSilences.$inferInsert,
    "ruleId" | "dimension" | "until" | "comment" | "createdBy"
  >,
): Promise<AlertSilence> {
  const [row] = await tx.insert(alertSilences).values(values).returning();
  return row!;
}

/** Silences in force at `at` (not lifted, not yet over), those ending first first. */
export async function listActiveSilences(db: Db, at: Date): Promise<SilenceRow[]> {
  return db
    .select(listed)
    .from(alertSilences)
    .innerJoin(alertRules, eq(alertRules.id, alertSilences.ruleId))
    .leftJoin(users, eq(users.id, alertSilences.createdBy))
    .where(and(isNull(alertSilences.liftedAt), gt(alertSilences.until, at)))
    .orderBy(alertSilences.until, desc(alertSilences.createdAt))
    .limit(500);
}

export async function findSilence(db: Db, id: string): Promise<SilenceRow | null> {
  const [row] = await db
    .select(listed)
    .from(alertSilences)
    .innerJoin(alertRules, eq(alertRules.id, alertSilences.ruleId))
    .leftJoin(users, eq(users.id, alertSilences.createdBy))
    .where(eq(alertSilences.id, id));
  return row ?? null;
}

/** Lifts a silence still in force at `at`; null when there is none with that id. */
export async function liftSilenceRow(
  tx: Db,
  id: string,
  input: { at: Date; by: string | null },
): Promise<AlertSilence | null> {
  const [row] = await tx
    .update(alertSilences)
    .set({ liftedAt: input.at, liftedBy: input.by, version: sql`${alertSilences.version} + 1` })
    .where(
      and(
        eq(alertSilences.id, id),
        isNull(alertSilences.liftedAt),
        gt(alertSilences.until, input.at),
      ),
    )
    .returning();
  return row ?? null;
}

/** A rule's silences in force at `at`: the dimension each covers (null: all) and its end. */
export async function silencesOfRule(
  db: Db,
  ruleId: string,
  at: Date,
): Promise<{ dimension: string | null; until: Date }[]> {
  return db
    .select({ dimension: alertSilences.dimension, until: alertSilences.until })
    .from(alertSilences)
    .where(
      and(
        eq(alertSilences.ruleId, ruleId),
        isNull(alertSilences.liftedAt),
        gt(alertSilences.until, at),
      ),
    );
}

/** The latest end of the silences covering one rule × dimension at `at`, as a SQL expression. */
export function silencedUntilSql(ruleId: Column, dimension: Column) {
  return sql`(select max(s.until) from alert_silences s
    where s.rule_id = ${ruleId} and s.lifted_at is null and s.until > now()
      and (s.dimension is null or s.dimension = ${dimension}))`.mapWith(alertSilences.until);
}
