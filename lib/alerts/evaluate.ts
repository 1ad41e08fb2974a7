import type { Db } from "@/db/client";
import {
  activeChannels,
  dropPendingAlert,
  enqueueNotice,
  evaluableRules,
  insertPendingAlert,
  markAlertEvaluated,
  markAlertFiring,
  markAlertResolved,
  recordAlertReading,
  tryLockEvaluation,
  unresolvedAlerts,
} from "@/db/queries/alerts";
import type { Alert, AlertRule } from "@/db/schema";
import { SYSTEM_ACTOR, writeAudit } from "@/lib/audit";
import {
  AlertCondition,
  durationMs,
  type AlertNotice,
  type AlertNoticeType,
} from "@/lib/contract/alerts";
import { env } from "@/lib/env";
import { absentMeasurement, measure, type Measurement } from "./measure";
import { filteredViewPath } from "./view-link";

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
 */

export interface EvaluationSummary {
  rules: number;
  fired: number;
  resolved: number;
  pending: number;
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
    const summary: EvaluationSummary = { rules: 0, fired: 0, resolved: 0, pending: 0 };
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
      const seen = new Set<string>();
      for (const m of measured) {
        seen.add(m.dimension);
        await step(tx, rule, open.get(m.dimension) ?? null, m, now, baseUrl, summary);
      }
      for (const [dimension, alert] of open) {
        if (seen.has(dimension)) continue;
        await step(
          tx,
          rule,
          alert,
          absentMeasurement(condition.data, dimension),
          now,
          baseUrl,
          summary,
        );
      }
    }
    return summary;
  });
}

async function step(
  tx: Db,
  rule: AlertRule,
  alert: Alert | null,
  m: Measurement,
  now: Date,
  baseUrl: string,
  summary: EvaluationSummary,
): Promise<void> {
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
      const firing = await markAlertFiring(tx, alert.id, m, now);
      if (firing) {
        summary.fired++;
        await announce(tx, rule, firing, "alert.firing", baseUrl, null);
      }
      return;
    }
    if (alert.state === "pending") summary.pending++;
    await recordAlertReading(tx, alert.id, m, now);
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
    return;
  }
  const resolved = await markAlertResolved(tx, alert.id, m.value, now);
  if (resolved) {
    summary.resolved++;
    await announce(tx, rule, resolved, "alert.resolved", baseUrl, null);
  }
}

/** The Alerts page, scrolled to the alert's row (each row's id is `alert-<id>`). */
export function alertUrl(baseUrl: string, alertId: string): string {
  return `${baseUrl}/alerts#alert-${alertId}`;
}

export function buildNotice(
  type: AlertNoticeType,
  rule: Pick<AlertRule, "id" | "name" | "severity" | "condition" | "entity">,
  alert: Alert,
  baseUrl: string,
  acknowledgedBy: string | null,
): AlertNotice {
  const condition = AlertCondition.safeParse(rule.condition);
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

/** Audits a transition and puts its notice in the outbox for each of the rule's active channels. */
export async function announce(
  tx: Db,
  rule: AlertRule,
  alert: Alert,
  type: AlertNoticeType,
  baseUrl: string,
  acknowledgedBy: string | null,
): Promise<void> {
  const notice = buildNotice(type, rule, alert, baseUrl, acknowledgedBy);
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
      },
    });
  }
  for (const channel of await activeChannels(tx, rule.channelIds)) {
    await enqueueNotice(tx, {
      channelId: channel.id,
      alertId: alert.id,
      kind: type,
      payload: notice,
    });
  }
}
