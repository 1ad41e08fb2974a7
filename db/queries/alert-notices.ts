import "server-only";
import { and, asc, eq, gt, sql } from "drizzle-orm";
import type { Db } from "../client";
import { outboxCommands } from "../schema";

/*
 * Notices held in the outbox: due later than now (quiet hours, a group window) and never
 * attempted. Until they go out they can still be merged (a group) or replaced by a newer
 * notice of the same alert, so a held channel gets the current state once, not a backlog.
 * Rows are locked: the dispatcher's claim skips them meanwhile.
 */

export interface HeldNotice {
  id: string;
  kind: string;
  payload: Record<string, unknown>;
  nextAttemptAt: Date;
}

const heldOn = (channelId: string, at: Date) =>
  and(
    eq(outboxCommands.alertChannelId, channelId),
    eq(outboxCommands.status, "pending"),
    eq(outboxCommands.attempts, 0),
    gt(outboxCommands.nextAttemptAt, at),
  );

const held = {
  id: outboxCommands.id,
  kind: outboxCommands.kind,
  payload: sql<Record<string, unknown>>`${outboxCommands.payload}`,
  nextAttemptAt: outboxCommands.nextAttemptAt,
};

/** The held notices on a channel that tell of one alert, alone or in a group. */
export async function heldNoticesOfAlert(
  tx: Db,
  channelId: string,
  alertId: string,
  at: Date,
): Promise<HeldNotice[]> {
  return tx
    .select(held)
    .from(outboxCommands)
    .where(
      and(
        heldOn(channelId, at),
        sql`(${outboxCommands.payload}->'alert'->>'id' = ${alertId}
          or ${outboxCommands.payload}->'alerts' @> jsonb_build_array(jsonb_build_object('id', ${alertId}::text)))`,
      ),
    )
    .for("update");
}

/** The held firing message on a channel that more firing alerts may join, if there is one. */
export async function heldFiringOn(
  tx: Db,
  channelId: string,
  at: Date,
): Promise<HeldNotice | null> {
  const [row] = await tx
    .select(held)
    .from(outboxCommands)
    .where(and(heldOn(channelId, at), eq(outboxCommands.kind, "alert.firing")))
    .orderBy(asc(outboxCommands.nextAttemptAt))
    .limit(1)
    .for("update");
  return row ?? null;
}

export async function replaceHeldPayload(
  tx: Db,
  id: string,
  payload: Record<string, unknown>,
): Promise<void> {
  await tx
    .update(outboxCommands)
    .set({ payload, updatedAt: sql`now()` })
    .where(eq(outboxCommands.id, id));
}

/** Withdraws a held notice: it was never attempted, so it has no delivery log to keep. */
export async function deleteHeldNotice(tx: Db, id: string): Promise<void> {
  await tx
    .delete(outboxCommands)
    .where(
      and(
        eq(outboxCommands.id, id),
        eq(outboxCommands.status, "pending"),
        eq(outboxCommands.attempts, 0),
      ),
    );
}
