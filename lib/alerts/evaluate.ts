import type { Db } from "@/db/client";
import { silencesOfRule } from "@/db/queries/alert-silences";
import {
  dropPendingAlert,
  evaluableRules,
  insertPendingAlert,
  markAlertEvaluated,
  markAlertFiring,
  markAlertResolved,
  recordAlertReading,
  setAlertNotified,
  tryLockEvaluation,
  unresolvedAlerts,
} from "@/db/queries/alerts";
import type { Alert, AlertRule } from "@/db/schema";
import { SYSTEM_ACTOR, writeAudit } from "@/lib/audit";
import { AlertCondition } from "@/lib/contract/alert-rules";
import { durationMs } from "@/lib/contract/duration";
import type { AlertNotice, AlertNoticeType } from "@/lib/contract/alert-notices";
import { env } from "@/lib/env";
import { loadReportingCurrency } from "@/lib/money/reporting";
import { figureFormat } from "./figure";
import { absentMeasurement, measure, type Measurement } from "./measure";
import { filteredViewPath } from "./view-link";
import { deliverNotice } from "./notify";
import { covers } from "./silences";

/*
 * The alert lifecycle, one rule × dimension at a time:
 *
 *   (none) --breaching--> pending --breaching for the rule's `for`--> firing (notice)
 *   pending --not breaching or no data--> (dropped: nobody was told)
 *   firing --not breaching--> resolved (notice)
 *   firing --no data--> firing (nothing measured is not proof of mending)
 *
 * One instance evaluates at a time (a try-lock, like the exception sweep): another instance
 * that finds it taken skips the round instead of queueing behind it. Transitions and their
 * outbox notices commit together, and each notice's idempotency key names the transition, so
 * no transition is ever told twice.
 *
 * Around the transitions, the notices: a silence covering an alert withholds them (the
 * transitions still happen and are audited); a firing alert whose notice is owed (it fired,
 * or was silenced, while a silence held) is told when no silence covers it any more; one
 * still firing after its rule's `repeat` is told again.
 */

export interface EvaluationSummary {
  rules: number;
  fired: number;
  resolved: number;
  pending: number;
  /** Firing notices sent again: repeats, and the catch-up after a silence. */
  retold: number;
}

export interface EvaluationOptions {
  /** Where notices link to; default CLOSELINE_PUBLIC_URL or http://localhost:PORT. */
  baseUrl?: string;
}

export function publicBaseUrl(): string {
  return (env.CLOSELINE_PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, "");
}

/** Runs every rule once. Null when another instance holds the evaluation. */
export async function evaluateAlerts(
  db: Db,
  now: Date = new Date(),
  options: EvaluationOptions = {},
): Promise<EvaluationSummary | null> {
  const baseUrl = options.baseUrl ?? publicBaseUrl();
  return db.transaction(async (tx) => {
    if (!(await tryLockEvaluation(tx))) return null;
    const summary: EvaluationSummary = { rules: 0, fired: 0, resolved: 0, pending: 0, retold: 0 };
    const reportingCurrency = await loadReportingCurrency(tx);
    for (const rule of await evaluableRules(tx)) {
      const condition = AlertCondition.safeParse(rule.condition);
      if (!condition.success) continue; // written by an older version; the API refuses such rules
      summary.rules++;
      const measured = await measure(
        tx,
        { condition: condition.data, entity: rule.entity, createdAt: rule.createdAt },
        now,
      );
      const open = new Map((await unresolvedAlerts(tx, rule.id)).map((a) => [a.dimension, a]));
      const silences = await silencesOfRule(tx, rule.id, now);
      const round: Round = {
        rule,
        now,
        baseUrl,
        reportingCurrency,
        summary,
        muted: (dimension) => covers(silences, dimension),
      };
      const seen = new Set<string>();
      for (const m of measured) {
        seen.add(m.dimension);
        await step(tx, round, open.get(m.dimension) ?? null, m);
      }
      for (const [dimension, alert] of open) {
        if (seen.has(dimension)) continue;
        await step(tx, round, alert, absentMeasurement(condition.data, dimension));
      }
    }
    return summary;
  });
}

interface Round {
  rule: AlertRule;
  now: Date;
  baseUrl: string;
  /** What an amount-at-risk figure is in, for the notice's words. */
  reportingCurrency: string;
  summary: EvaluationSummary;
  /** Whether a silence covers the rule's alerts of this dimension now. */
  muted: (dimension: string) => boolean;
}

async function step(tx: Db, round: Round, alert: Alert | null, m: Measurement): Promise<void> {
  const { rule, now, baseUrl, reportingCurrency, summary } = round;
  const forMs = durationMs(rule.forDuration) ?? 0;
  if (m.breaching === true) {
    if (!alert) {
      alert = await insertPendingAlert(tx, {
        ruleId: rule.id,
        dimension: m.dimension,
        value: m.value,
        threshold: m.threshold,
        at: now,
      });
    }
    if (alert.state === "pending" && now.getTime() - alert.pendingSince.getTime() >= forMs) {
      const muted = round.muted(alert.dimension);
      const firing = await markAlertFiring(tx, alert.id, m, now, !muted);
      if (firing) {
        summary.fired++;
        await announce(tx, rule, firing, "alert.firing", baseUrl, null, {
          now,
          muted,
          reportingCurrency,
        });
      }
      return;
    }
    if (alert.state === "pending") summary.pending++;
    await recordAlertReading(tx, alert.id, m, now);
    if (alert.state === "firing") await retell(tx, round, alert);
    return;
  }
  if (!alert) return;
  if (alert.state === "pending") {
    // Never fired, so nobody was told: it leaves no trace.
    await dropPendingAlert(tx, alert.id);
    return;
  }
  if (m.breaching === null) {
    await markAlertEvaluated(tx, alert.id, now);
    await retell(tx, round, alert);
    return;
  }
  const resolved = await markAlertResolved(tx, alert.id, m.value, now);
  if (resolved) {
    summary.resolved++;
    const muted = round.muted(alert.dimension);
    await announce(tx, rule, resolved, "alert.resolved", baseUrl, null, {
      now,
      muted,
      reportingCurrency,
    });
  }
}

/**
 * A firing alert that did not change: while silenced, its notice is owed (so the end of the
 * silence is told); else an owed notice goes now, and one told `repeat` ago is told again.
 */
async function retell(tx: Db, round: Round, alert: Alert): Promise<void> {
  const { rule, now } = round;
  if (round.muted(alert.dimension)) {
    if (alert.notifiedAt) await setAlertNotified(tx, alert.id, null);
    return;
  }
  const repeatMs = rule.repeatInterval ? durationMs(rule.repeatInterval) : null;
  const due =
    alert.notifiedAt === null ||
    (repeatMs !== null && now.getTime() - alert.notifiedAt.getTime() >= repeatMs);
  if (!due) return;
  await setAlertNotified(tx, alert.id, now);
  round.summary.retold++;
  const notice = buildNotice("alert.firing", rule, alert, {
    baseUrl: round.baseUrl,
    acknowledgedBy: null,
    reportingCurrency: round.reportingCurrency,
  });
  await deliverNotice(tx, rule, notice, { now, keySuffix: `:${now.getTime()}` });
}

/** The Alerts page, scrolled to the alert's row (each row's id is `alert-<id>`). */
export function alertUrl(baseUrl: string, alertId: string): string {
  return `${baseUrl}/alerts#alert-${alertId}`;
}

export interface NoticeContext {
  baseUrl: string;
  /** Who acknowledged it, by name, for an acknowledged notice. */
  acknowledgedBy: string | null;
  /** What an amount-at-risk figure is in. */
  reportingCurrency: string;
}

export function buildNotice(
  type: AlertNoticeType,
  rule: Pick<AlertRule, "id" | "name" | "severity" | "condition" | "entity">,
  alert: Alert,
  { baseUrl, acknowledgedBy, reportingCurrency }: NoticeContext,
): AlertNotice {
  const condition = AlertCondition.safeParse(rule.condition);
  const say = figureFormat(condition.success ? condition.data : null, reportingCurrency);
  return {
    type,
    alert: {
      id: alert.id,
      ruleId: rule.id,
      ruleName: rule.name,
      severity: rule.severity,
      entity: alert.dimension === "" ? null : alert.dimension,
      value: alert.value,
      threshold: alert.threshold,
      valueText: say(alert.value),
      thresholdText: alert.threshold === null ? null : say(alert.threshold, "threshold"),
      startedAt: alert.startedAt?.toISOString() ?? null,
      resolvedAt: alert.resolvedAt?.toISOString() ?? null,
      url: alertUrl(baseUrl, alert.id),
      view: condition.success
        ? `${baseUrl}${filteredViewPath(condition.data, rule.entity, alert.dimension)}`
        : null,
      acknowledged: alert.acknowledgedAt
        ? {
            by: acknowledgedBy,
            at: alert.acknowledgedAt.toISOString(),
            comment: alert.acknowledgeComment ?? "",
          }
        : null,
    },
  };
}

/**
 * Audits a transition and, unless a silence mutes it, puts its notice in the outbox for each
 * of the rule's active channels.
 */
export async function announce(
  tx: Db,
  rule: AlertRule,
  alert: Alert,
  type: AlertNoticeType,
  baseUrl: string,
  acknowledgedBy: string | null,
  options: { now: Date; muted: boolean; reportingCurrency: string },
): Promise<void> {
  const notice = buildNotice(type, rule, alert, {
    baseUrl,
    acknowledgedBy,
    reportingCurrency: options.reportingCurrency,
  });
  if (type !== "alert.acknowledged") {
    await writeAudit(tx, {
      actor: SYSTEM_ACTOR,
      action: type,
      target: { type: "alert", id: alert.id },
      after: {
        rule: rule.name,
        dimension: alert.dimension,
        value: alert.value,
        threshold: alert.threshold,
        ...(options.muted ? { silenced: true } : {}),
      },
    });
  }
  if (options.muted) return;
  await deliverNotice(tx, rule, notice, { now: options.now });
}
