import { AlertCondition, KPI_METRIC_LABELS, type KpiMetric } from "@/lib/contract/alert-rules";
import { durationMs } from "@/lib/contract/duration";
import { TYPE_LABELS, type ExceptionType } from "@/lib/exceptions/vocabulary";
import { formatDuration } from "@/lib/format";
import { figureFormat } from "./figure";

/* A rule in words, for the rules table: its figures as the Alerts page and the notices say them. */

/** An exception type in words, or the words for "any type". */
const typeWords = (type: string | null, any: string) =>
  type === null ? any : type in TYPE_LABELS ? TYPE_LABELS[type as ExceptionType] : type;

/** A window or a quiet length in words, as the notices write durations: "1 d", "10 min". */
const inWords = (iso: string) => {
  const ms = durationMs(iso);
  return ms === null ? iso : formatDuration(ms);
};

/** A rule's `for` as people say it: "at once", or "10 min". */
export const heldFor = (iso: string) => (durationMs(iso) === 0 ? "at once" : inWords(iso));

/** A KPI's name without the unit the form's picker gives it: the threshold now says its unit. */
const metricName = (metric: KpiMetric) => KPI_METRIC_LABELS[metric].replace(/ \([^)]*\)$/, "");

/**
 * A rule's condition in words, its figures in the rule's unit as the Alerts page and the
 * notices write them (lib/alerts/figure.ts): "ERP first-pass success < 90.0 % over the last
 * 1 d per entity". A condition an older release saved, which no longer parses, is its kind.
 */
export function describeCondition(
  stored: unknown,
  entity: string | null,
  reportingCurrency: string,
): string {
  const parsed = AlertCondition.safeParse(stored);
  if (!parsed.success) {
    const kind = (stored as { kind?: unknown } | null)?.kind;
    return typeof kind === "string" ? kind : "unknown condition";
  }
  const condition = parsed.data;
  const say = figureFormat(condition, reportingCurrency);
  const where = entity === "*" ? " per entity" : entity ? ` for ${entity}` : "";
  switch (condition.kind) {
    case "kpi":
      return `${metricName(condition.metric)} ${condition.op} ${say(condition.value)} over the last ${inWords(condition.window)}${where}`;
    case "kpi_change":
      return `${metricName(condition.metric)} change ${condition.op} ${say(condition.value)} vs the previous ${inWords(condition.window)}${where}`;
    case "silence": {
      const pair = `${condition.source ?? "any source"} / ${condition.type ?? "any type"}`;
      return condition.after === "learned"
        ? `${pair} quiet for longer than its usual cadence allows`
        : `${pair} quiet for more than ${inWords(condition.after)}`;
    }
    case "exceptions":
      return describeExceptions(condition, say) + where;
    case "close":
      return `NO-GO within ${say(condition.withinDays)} of the close deadline${where}`;
  }
}

function describeExceptions(
  condition: Extract<AlertCondition, { kind: "exceptions" }>,
  say: (value: number) => string,
): string {
  switch (condition.trigger) {
    case "new":
      return `new ${typeWords(condition.type, "exception")} at ${condition.severity} or above`;
    case "sla_breach":
      return `${typeWords(condition.type, "exceptions")} past SLA ≥ ${say(condition.atLeast)}`;
    case "amount_at_risk":
      return `amount at risk of open ${typeWords(condition.type, "exceptions")} > ${say(condition.aboveMinor)}`;
    case "open_count":
      return `open ${typeWords(condition.type, "exceptions")} ≥ ${say(condition.atLeast)}`;
  }
}
