import type { Db } from "@/db/client";
import {
  commandDestination,
  findCommandByKey,
  insertCommand,
  requeueDeadCommand,
} from "@/db/queries/outbox";
import type { CommandKind, OutboxCommand } from "@/db/schema";
import { Conflict } from "@/lib/errors";
import { endpointFor } from "./endpoints";

export interface EnqueueInput {
  kind: CommandKind;
  payload: Record<string, unknown>;
  /**
   * Names the request, not the click: the same key twice is the same command. Derive it from
   * what makes two requests the same (e.g. `erp.posting.retry:<posting>:<attempt it follows>`).
   */
  idempotencyKey: string;
  exceptionId?: string | null;
  createdBy?: string | null;
}

export interface Enqueued {
  command: OutboxCommand;
  /** False when a command with this idempotency key existed already; it is returned as is. */
  created: boolean;
}

/**
 * Writes a command to the outbox, addressed to the active endpoint for its kind. Call it in
 * the transaction that records the decision and its audit entry, so the three commit
 * together; the dispatcher delivers after the commit.
 *
 * Concurrent calls with one key produce one row: the unique index makes the second insert
 * wait for the first transaction and then do nothing, and the existing row is returned.
 */
export async function enqueue(db: Db, input: EnqueueInput): Promise<Enqueued> {
  const endpoint = await endpointFor(db, input.kind);
  if (!endpoint) {
    throw new Conflict(
      `No webhook endpoint receives ${input.kind}; an admin can add one under Admin → Webhooks`,
    );
  }
  const created = await insertCommand(db, {
    kind: input.kind,
    endpointId: endpoint.id,
    payload: input.payload,
    exceptionId: input.exceptionId ?? null,
    idempotencyKey: input.idempotencyKey,
    createdBy: input.createdBy ?? null,
  });
  if (created) return { command: created, created: true };
  const existing = await findCommandByKey(db, input.idempotencyKey);
  if (!existing) throw new Error(`outbox command ${input.idempotencyKey} vanished`);
  return { command: existing, created: false };
}

/**
 * Puts a dead command back in line for delivery with a fresh set of attempts, to the
 * endpoint that now receives its kind (the old one may have been replaced). The caller
 * audits it. Returns null when the command is not dead (delivered, or still being tried).
 */
export async function requeueDead(db: Db, id: string): Promise<OutboxCommand | null> {
  const row = await commandDestination(db, id);
  if (!row) return null;
  // An alert notice or a digest goes back to its own channel or owner.
  if (row.alertChannelId || row.digestId) return requeueDeadCommand(db, id, {});
  const endpoint = await endpointFor(db, row.kind as CommandKind);
  if (!endpoint) {
    throw new Conflict(
      `No webhook endpoint receives ${row.kind}; an admin can add one under Admin → Webhooks`,
    );
  }
  return requeueDeadCommand(db, id, { endpointId: endpoint.id });
}
