import type { AlertCondition, KpiMetric } from "@/lib/contract/alert-rules";
import { formatCount, formatDuration, formatMoney } from "@/lib/format";
import { QUIET_LOOKBACK_DAYS } from "@/lib/ingest/health";

/*
 * An alert's value and threshold are bare numbers (the webhook body keeps them so); what they
 * count follows from the rule's condition. This says them in that unit, the one way the
 * Alerts page and every channel's message write them: "87.0 %", "4 min 10 s",
 * "50,000.00 USD", "12", "3 days".
 */

/** `role` says which figure it is: a threshold may read differently from a value. */
export type FigureFormat = (value: number | null, role?: "value" | "threshold") => string;

type Unit = "duration" | "share" | "count";

/** A KPI figure's unit, from its name in the report: `…Ms` are milliseconds, rates and ratios shares. */
export function kpiMetricUnit(metric: KpiMetric): Unit {
  if (metric.endsWith("Ms")) return "duration";
  if (metric.endsWith("Rate") || metric.endsWith(".ratio")) return "share";
  return "count";
}

const NO_DATA = "no data";

/** A number that is not known to be a count, as before: whole as it is, else four digits. */
const plain = (value: number) =>
  Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));

const signed = (value: number, text: string) => (value > 0 ? `+${text}` : text);

const inUnit: Record<Unit, (value: number) => string> = {
  duration: (ms) => formatDuration(ms),
  share: (ratio) => `${(ratio * 100).toFixed(1)} %`,
  count: (n) => (Number.isInteger(n) ? formatCount(n) : plain(n)),
};

/** A change in a figure's own unit: a share's change is in percentage points. */
const changeInUnit: Record<Unit, (value: number) => string> = {
  duration: (ms) => signed(ms, formatDuration(ms)),
  share: (points) => signed(points, `${(points * 100).toFixed(1).replace("-", "−")} pp`),
  count: (n) => signed(n, inUnit.count(n).replace("-", "−")),
};

const QUIET_LOOKBACK_MS = QUIET_LOOKBACK_DAYS * 86_400_000;

/**
 * A learned-cadence silence rule's threshold is the learned allowance, except for a source
 * quiet for longer than the whole lookback: no cadence is learned then, and the line it
 * crossed is the lookback itself (lib/alerts/measure.ts), which says so rather than
 * reading as one more duration.
 */
function silenceThreshold(condition: Extract<AlertCondition, { kind: "silence" }>) {
  return (ms: number) =>
    condition.after === "learned" && ms === QUIET_LOOKBACK_MS
      ? `the whole ${QUIET_LOOKBACK_DAYS}-day lookback`
      : inUnit.duration(ms);
}

function formatFor(condition: AlertCondition, reportingCurrency: string): (v: number) => string {
  switch (condition.kind) {
    case "kpi":
      return inUnit[kpiMetricUnit(condition.metric)];
    case "kpi_change":
      return condition.unit === "percent"
        ? (percent) => signed(percent, `${plain(percent).replace("-", "−")} %`)
        : changeInUnit[kpiMetricUnit(condition.metric)];
    case "silence":
      return inUnit.duration;
    case "exceptions":
      return condition.trigger === "amount_at_risk"
        ? (minor) =>
            Number.isSafeInteger(minor) ? formatMoney(minor, reportingCurrency) : plain(minor)
        : inUnit.count;
    case "close":
      return (days) => `${formatCount(days)} ${Math.abs(days) === 1 ? "day" : "days"}`;
  }
}

/** How a rule's figures read; an unknown condition (a rule saved by an older release) stays plain. */
export function figureFormat(
  condition: AlertCondition | null,
  reportingCurrency: string,
): FigureFormat {
  const format = condition ? formatFor(condition, reportingCurrency) : plain;
  const threshold = condition?.kind === "silence" ? silenceThreshold(condition) : format;
  return (value, role = "value") =>
    value === null ? NO_DATA : role === "threshold" ? threshold(value) : format(value);
}
