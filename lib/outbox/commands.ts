import type { Db } from "@/db/client";
import {
  commandCountsByStatus,
  commandSummariesOfException,
  deliveriesOf,
  listCommandSummaries,
  lockCommandState,
  type CommandSummary,
} from "@/db/queries/outbox";
import { COMMAND_STATUSES, type CommandStatus } from "@/db/schema";
import { writeAudit, type AuditContext } from "@/lib/audit";
import { Conflict, NotFound } from "@/lib/errors";
import { requeueDead } from "./enqueue";

export type { CommandStatus, OutboxDelivery } from "@/db/schema";
export type { CommandSummary } from "@/db/queries/outbox";

/* What the admin page and the exception view read about commands, and the operator's re-send. */

export async function listCommands(
  db: Db,
  params: { statuses?: readonly CommandStatus[]; limit?: number } = {},
): Promise<CommandSummary[]> {
  const statuses = params.statuses?.length ? params.statuses : COMMAND_STATUSES;
  return listCommandSummaries(db, { statuses, limit: Math.min(params.limit ?? 50, 500) });
}

export async function commandsForException(db: Db, exceptionId: string): Promise<CommandSummary[]> {
  return commandSummariesOfException(db, exceptionId);
}

export async function deliveryLog(db: Db, commandIds: readonly string[]) {
  if (commandIds.length === 0) return [];
  return deliveriesOf(db, commandIds);
}

export async function countCommandsByStatus(db: Db): Promise<Record<CommandStatus, number>> {
  const rows = await commandCountsByStatus(db);
  const counts = Object.fromEntries(COMMAND_STATUSES.map((s) => [s, 0])) as Record<
    CommandStatus,
    number
  >;
  for (const row of rows) counts[row.status] = Number(row.count);
  return counts;
}

/** An operator sends a dead-lettered command again, with a fresh set of attempts. Audited. */
export async function resendCommand(db: Db, id: string, context: AuditContext): Promise<void> {
  await db.transaction(async (tx) => {
    const before = await lockCommandState(tx, id);
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
