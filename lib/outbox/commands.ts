import { asc, desc, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import {
  COMMAND_STATUSES,
  outboxCommands,
  outboxDeliveries,
  users,
  webhookEndpoints,
  type CommandStatus,
} from "@/db/schema";
import { writeAudit, type AuditActor, type RequestMeta } from "@/lib/audit";
import { Conflict, NotFound } from "@/lib/errors";
import { requeueDead } from "./enqueue";

export type { CommandStatus, OutboxDelivery } from "@/db/schema";

/* What the admin page and the exception view read about commands, and the operator's re-send. */

export interface CommandSummary {
  id: string;
  kind: string;
  status: CommandStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
  exceptionId: string | null;
  payload: unknown;
  endpointName: string;
  createdByEmail: string | null;
}

const summary = {
  id: outboxCommands.id,
  kind: outboxCommands.kind,
  status: outboxCommands.status,
  attempts: outboxCommands.attempts,
  nextAttemptAt: outboxCommands.nextAttemptAt,
  lastError: outboxCommands.lastError,
  createdAt: outboxCommands.createdAt,
  deliveredAt: outboxCommands.deliveredAt,
  exceptionId: outboxCommands.exceptionId,
  payload: outboxCommands.payload,
  endpointName: webhookEndpoints.name,
  createdByEmail: users.email,
};

function selectSummaries(db: Db, where: SQL | undefined) {
  return db
    .select(summary)
    .from(outboxCommands)
    .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, outboxCommands.endpointId))
    .leftJoin(users, eq(users.id, outboxCommands.createdBy))
    .where(where);
}

export async function listCommands(
  db: Db,
  params: { statuses?: readonly CommandStatus[]; limit?: number } = {},
): Promise<CommandSummary[]> {
  const statuses = params.statuses?.length ? params.statuses : COMMAND_STATUSES;
  return selectSummaries(db, inArray(outboxCommands.status, [...statuses]))
    .orderBy(desc(outboxCommands.createdAt), desc(outboxCommands.id))
    .limit(Math.min(params.limit ?? 50, 500));
}

export async function commandsForException(db: Db, exceptionId: string): Promise<CommandSummary[]> {
  return selectSummaries(db, eq(outboxCommands.exceptionId, exceptionId)).orderBy(
    asc(outboxCommands.createdAt),
  );
}

export async function deliveryLog(db: Db, commandIds: readonly string[]) {
  if (commandIds.length === 0) return [];
  return db
    .select()
    .from(outboxDeliveries)
    .where(inArray(outboxDeliveries.commandId, [...commandIds]))
    .orderBy(asc(outboxDeliveries.commandId), asc(outboxDeliveries.at), asc(outboxDeliveries.id));
}

export async function countCommandsByStatus(db: Db): Promise<Record<CommandStatus, number>> {
  const rows = await db
    .select({ status: outboxCommands.status, count: sql<number>`count(*)::int` })
    .from(outboxCommands)
    .groupBy(outboxCommands.status);
  const counts = Object.fromEntries(COMMAND_STATUSES.map((s) => [s, 0])) as Record<
    CommandStatus,
    number
  >;
  for (const row of rows) counts[row.status] = Number(row.count);
  return counts;
}

/** An operator sends a dead-lettered command again, with a fresh set of attempts. Audited. */
export async function resendCommand(
  db: Db,
  id: string,
  context: { actor: AuditActor; meta?: RequestMeta },
): Promise<void> {
  await db.transaction(async (tx) => {
    const [before] = await tx
      .select({
        status: outboxCommands.status,
        attempts: outboxCommands.attempts,
        lastError: outboxCommands.lastError,
      })
      .from(outboxCommands)
      .where(eq(outboxCommands.id, id))
      .for("update");
    if (!before) throw new NotFound("No such outbox command");
    const requeued = await requeueDead(tx, id);
    if (!requeued)
      throw new Conflict(`Only a dead command can be re-sent; this one is ${before.status}`);
    await writeAudit(tx, {
      actor: context.actor,
      action: "outbox.command_resent",
      target: { type: "outbox_command", id },
      before,
      after: { status: requeued.status, endpointId: requeued.endpointId },
      meta: context.meta,
    });
  });
}
