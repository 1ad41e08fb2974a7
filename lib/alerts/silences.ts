import type { Db } from "@/db/client";
import { findLiveRule } from "@/db/queries/alert-rules";
import {
  findSilence,
  insertSilence,
  liftSilenceRow,
  listActiveSilences,
  silencesOfRule,
  type SilenceRow,
} from "@/db/queries/alert-silences";
import { findAlertState } from "@/db/queries/alerts";
import { writeAudit } from "@/lib/audit";
import { AlertSilenceInput, MAX_SILENCE_MS } from "@/lib/contract/alert-rules";
import { InvalidInput, NotFound } from "@/lib/errors";
import { parseInput } from "@/lib/parse-input";
import type { WriteContext } from "./channels";
import { holdVersion } from "./versions";

/*
 * Silences: someone who may acknowledge says "not now" for a rule, or for one of its
 * dimensions, until a time, and why. Alerts under a silence keep changing state; their
 * notices are withheld, and an alert still firing when the silence ends (or is lifted) is
 * told again at the next evaluation. Every silence and every lift is audited.
 */

export type SilenceView = SilenceRow;

type SilenceContext = WriteContext & { now?: Date };

const invalidSilence = (details: string[]) =>
  new InvalidInput(`Invalid silence: ${details.join("; ")}`, details);

export async function createSilence(
  db: Db,
  body: unknown,
  context: SilenceContext,
): Promise<SilenceView> {
  const input = parseInput(AlertSilenceInput, body, { whole: "body", title: "Invalid silence" });
  const now = context.now ?? new Date();
  const until = new Date(input.until);
  if (until <= now) throw invalidSilence(["until: must be in the future"]);
  if (until.getTime() - now.getTime() > MAX_SILENCE_MS) {
    throw invalidSilence([`until: at most ${MAX_SILENCE_MS / 86_400_000} days ahead`]);
  }
  return db.transaction(async (tx) => {
    const rule = await findLiveRule(tx, input.ruleId);
    if (!rule) throw new NotFound("No alert rule with that id");
    const row = await insertSilence(tx, {
      ruleId: rule.id,
      dimension: input.dimension,
      until,
      comment: input.comment,
      createdBy: context.userId,
    });
    await writeAudit(tx, {
      actor: context.actor,
      action: "alert_silence.created",
      target: { type: "alert_silence", id: row.id },
      after: {
        ruleId: rule.id,
        rule: rule.name,
        dimension: input.dimension,
        until: until.toISOString(),
        comment: input.comment,
      },
      meta: context.meta,
    });
    return (await findSilence(tx, row.id))!;
  });
}

/**
 * Silences the rule of one alert: that alert's dimension only (`scope: "alert"`), or every
 * dimension of its rule (`scope: "rule"`; a whole-company alert has no other).
 */
export async function silenceAlert(
  db: Db,
  alertId: string,
  input: { until: unknown; comment: unknown; scope: "alert" | "rule" },
  context: SilenceContext,
): Promise<SilenceView> {
  const alert = await findAlertState(db, alertId);
  if (!alert) throw new NotFound("No alert with that id");
  return createSilence(
    db,
    {
      ruleId: alert.ruleId,
      dimension: input.scope === "alert" && alert.dimension !== "" ? alert.dimension : null,
      until: input.until,
      comment: input.comment,
    },
    context,
  );
}

export async function listSilences(db: Db, now: Date = new Date()): Promise<SilenceView[]> {
  return listActiveSilences(db, now);
}

export async function getSilence(db: Db, id: string): Promise<SilenceView> {
  const row = await findSilence(db, id);
  if (!row) throw new NotFound("No silence with that id");
  return row;
}

/** Ends a silence before its time; the alerts it covered are told at the next evaluation. */
export async function liftSilence(db: Db, id: string, context: SilenceContext): Promise<void> {
  const now = context.now ?? new Date();
  await db.transaction(async (tx) => {
    await holdVersion(tx, "alert_silence", id, context.ifVersion);
    const row = await liftSilenceRow(tx, id, { at: now, by: context.userId });
    if (!row) throw new NotFound("No silence in force with that id");
    await writeAudit(tx, {
      actor: context.actor,
      action: "alert_silence.lifted",
      target: { type: "alert_silence", id },
      before: { until: row.until.toISOString() },
      after: { liftedAt: now.toISOString() },
      meta: context.meta,
    });
  });
}

/** Whether one of a rule's silences covers a dimension: it names it, or names none (all). */
export function covers(silences: { dimension: string | null }[], dimension: string): boolean {
  return silences.some((s) => s.dimension === null || s.dimension === dimension);
}

/** Whether a silence covers one rule × dimension at `at`. */
export async function isSilenced(
  db: Db,
  ruleId: string,
  dimension: string,
  at: Date,
): Promise<boolean> {
  return covers(await silencesOfRule(db, ruleId, at), dimension);
}
