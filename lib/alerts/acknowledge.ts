import type { Db } from "@/db/client";
import {
  acknowledgeFiringAlert,
  findAlertRule,
  findAlertState,
  findUserName,
} from "@/db/queries/alerts";
import { isSilenced } from "./silences";
import { writeAudit } from "@/lib/audit";
import { Conflict, InvalidInput, NotFound } from "@/lib/errors";
import { loadReportingCurrency } from "@/lib/money/reporting";
import type { WriteContext } from "./channels";
import { holdVersion } from "./versions";
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
  context: WriteContext & { baseUrl?: string; now?: Date },
): Promise<void> {
  const comment = typeof input.comment === "string" ? input.comment.trim() : "";
  if (!comment) throw new InvalidInput("Say what you are doing about it", ["comment: required"]);
  if (comment.length > MAX_ACKNOWLEDGE_COMMENT) {
    throw new InvalidInput("Comment too long", [
      `comment: at most ${MAX_ACKNOWLEDGE_COMMENT} characters`,
    ]);
  }
  await db.transaction(async (tx) => {
    await holdVersion(tx, "alert", id, context.ifVersion);
    const row = await findAlertState(tx, id);
    if (!row) throw new NotFound("No alert with that id");
    if (row.state !== "firing") throw new Conflict("Only a firing alert can be acknowledged");
    const now = context.now ?? new Date();
    const acknowledged = await acknowledgeFiringAlert(tx, id, {
      at: now,
      by: context.userId,
      comment,
    });
    if (!acknowledged) throw new Conflict("This alert was acknowledged already");
    const rule = await findAlertRule(tx, acknowledged.ruleId);
    const who = context.userId ? await findUserName(tx, context.userId) : null;
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
      {
        now,
        muted: await isSilenced(tx, acknowledged.ruleId, acknowledged.dimension, now),
        reportingCurrency: await loadReportingCurrency(tx),
      },
    );
  });
}
