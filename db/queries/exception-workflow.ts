import "server-only";
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../client";
import { firstOrNull } from "../rows";
import { exceptions, users, type ExceptionStatus } from "../schema";

/* The statements behind the actions people take on one exception. */

export type ExceptionRow = typeof exceptions.$inferSelect;

/** The exception, locked until the transaction ends, so concurrent actions on it queue. */
export async function lockException(tx: Db, id: string): Promise<ExceptionRow | null> {
  return firstOrNull(tx.select().from(exceptions).where(eq(exceptions.id, id)).for("update"));
}

export async function findExceptionRow(db: Db, id: string): Promise<ExceptionRow | null> {
  return firstOrNull(db.select().from(exceptions).where(eq(exceptions.id, id)).limit(1));
}

export type ExceptionChange = Partial<
  Pick<
    ExceptionRow,
    "status" | "ownerId" | "closedAt" | "closedBy" | "resolutionCode" | "resolutionNote"
  >
>;

/**
 * Writes a person's change and the next version, only if the row is still at the version
 * read: null when it moved on meanwhile. `at` stamps replayed history; otherwise the
 * database's clock.
 */
export async function updateExceptionAtVersion(
  tx: Db,
  row: { id: string; version: number },
  set: ExceptionChange,
  at?: Date,
): Promise<ExceptionRow | null> {
  return firstOrNull(
    tx
      .update(exceptions)
      .set({ ...set, updatedAt: at ?? sql`now()`, version: row.version + 1 })
      .where(and(eq(exceptions.id, row.id), eq(exceptions.version, row.version)))
      .returning(),
  );
}

/**
 * Moves the exception to `status` and bumps its version, as a correction or a retry does;
 * with `from`, only while it is still in that status.
 */
export async function moveExceptionStatus(
  tx: Db,
  id: string,
  status: ExceptionStatus,
  options: { from?: ExceptionStatus } = {},
): Promise<void> {
  await tx
    .update(exceptions)
    .set({ status, updatedAt: sql`now()`, version: sql`${exceptions.version} + 1` })
    .where(
      options.from
        ? and(eq(exceptions.id, id), eq(exceptions.status, options.from))
        : eq(exceptions.id, id),
    );
}

export interface AssigneeCandidate {
  id: string;
  email: string;
  role: (typeof users.$inferSelect)["role"];
  active: boolean;
}

export async function findAssigneeCandidate(
  db: Db,
  userId: string,
): Promise<AssigneeCandidate | null> {
  return firstOrNull(
    db
      .select({ id: users.id, email: users.email, role: users.role, active: users.active })
      .from(users)
      .where(eq(users.id, userId))
      .limit(1),
  );
}
