import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "@/db/client";
import { alertRules, alerts, users } from "@/db/schema";
import { writeAudit } from "@/lib/audit";
import { Conflict, InvalidInput, NotFound } from "@/lib/errors";
import type { WriteContext } from "./channels";
import { announce, publicBaseUrl } from "./evaluate";

export const MAX_ACKNOWLEDGE_COMMENT = 2000;

/**
 * Someone is on it: a firing alert is acknowledged once, with a comment saying what they are
 * doing, and its channels are told who and when. It stays firing until its condition mends.
 */
export async function acknowledgeAlert(
  db: Db,
  id: string,
  input: { comment: unknown },
  context: WriteContext & { baseUrl?: string },
): Promise<void> {
  const comment = typeof input.comment === "string" ? input.comment.trim() : "";
  if (!comment) throw new InvalidInput("Say what you are doing about it", ["comment: required"]);
  if (comment.length > MAX_ACKNOWLEDGE_COMMENT) {
    throw new InvalidInput("Comment too long", [
      `comment: at most ${MAX_ACKNOWLEDGE_COMMENT} characters`,
    ]);
  }
  await db.transaction(async (tx) => {
    const [row] = await tx
      .select({ state: alerts.state, acknowledgedAt: alerts.acknowledgedAt })
      .from(alerts)
      .where(eq(alerts.id, id));
    if (!row) throw new NotFound("No alert with that id");
    if (row.state !== "firing") throw new Conflict("Only a firing alert can be acknowledged");
    const [acknowledged] = await tx
      .update(alerts)
      .set({
        acknowledgedAt: new Date(),
        acknowledgedBy: context.userId,
        acknowledgeComment: comment,
      })
      .where(and(eq(alerts.id, id), eq(alerts.state, "firing"), isNull(alerts.acknowledgedAt)))
      .returning();
    if (!acknowledged) throw new Conflict("This alert was acknowledged already");
    const [rule] = await tx.select().from(alertRules).where(eq(alertRules.id, acknowledged.ruleId));
    const [who] = context.userId
      ? await tx
          .select({ name: users.name, email: users.email })
          .from(users)
          .where(eq(users.id, context.userId))
      : [];
    await writeAudit(tx, {
      actor: context.actor,
      action: "alert.acknowledged",
      target: { type: "alert", id },
      after: { comment },
      meta: context.meta,
    });
    await announce(
      tx,
      rule!,
      acknowledged,
      "alert.acknowledged",
      context.baseUrl ?? publicBaseUrl(),
      who ? (who.name ?? who.email) : context.actor.label,
    );
  });
}
