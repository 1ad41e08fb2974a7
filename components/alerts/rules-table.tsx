import { DataTable } from "@/components/table/data-table";
import { RowActionButton } from "@/components/ui/row-action-button";
import type { RuleView } from "@/lib/alerts/rules";
import { KPI_METRIC_LABELS, type KpiMetric } from "@/lib/contract/alert-rules";
import { durationMs } from "@/lib/contract/duration";
import { TYPE_LABELS, type ExceptionType } from "@/lib/exceptions/vocabulary";
import { formatDuration, formatMoney } from "@/lib/format";
import type { ActionResult } from "@/lib/http/action-result";

/** The alert rules; `remove` is given to those who may delete them. */
export function RulesTable({
  rules,
  reportingCurrency,
  remove,
}: {
  rules: RuleView[];
  /** What an amount-at-risk threshold (minor units) is shown in. */
  reportingCurrency: string;
  remove?: (form: FormData) => Promise<ActionResult>;
}) {
  return (
    <DataTable
      label="Alert rules"
      rows={rules}
      rowTestId="alert-rule"
      empty="No alert rule yet."
      rowActions={
        remove
          ? (r) => (
              <RowActionButton
                id={r.id}
                label="Delete"
                pendingLabel="Deleting…"
                ariaLabel={`Delete the rule ${r.name}`}
                confirm={`Delete the rule "${r.name}"? Its firing alerts are resolved.`}
                danger
                action={remove}
              />
            )
          : undefined
      }
      labelActionsOnPhone
      columns={[
        { header: "Name", cell: (r) => r.name },
        { header: "Severity", cell: (r) => r.severity },
        {
          header: "Condition",
          cell: (r) => <code>{describeCondition(r.condition, r.entity, reportingCurrency)}</code>,
        },
        { header: "For", cell: (r) => heldFor(r.for) },
        { header: "Enabled", cell: (r) => (r.enabled ? "yes" : "no") },
      ]}
    />
  );
}

/** A rule's `for` as people say it: "at once", or "10 min". */
function heldFor(iso: string): string {
  const ms = durationMs(iso);
  if (ms === null) return iso;
  return ms === 0 ? "at once" : formatDuration(ms);
}

/** An exception type in words, or the words for "any type". */
const typeWords = (type: unknown, any: string) =>
  typeof type === "string" && type in TYPE_LABELS
    ? TYPE_LABELS[type as ExceptionType]
    : type === null || type === undefined
      ? any
      : String(type);

function describeCondition(
  condition: Record<string, unknown>,
  entity: string | null,
  reportingCurrency: string,
): string {
  const where = entity === "*" ? " per entity" : entity ? ` for ${entity}` : "";
  switch (condition.kind) {
    case "kpi":
      return `${KPI_METRIC_LABELS[condition.metric as KpiMetric] ?? String(condition.metric)} ${String(condition.op)} ${String(condition.value)} over ${String(condition.window)}${where}`;
    case "silence":
      return `${String(condition.source ?? "any source")} / ${String(condition.type ?? "any type")} silent (${String(condition.after)})`;
    case "kpi_change":
      return `${KPI_METRIC_LABELS[condition.metric as KpiMetric] ?? String(condition.metric)} change ${String(condition.op)} ${String(condition.value)}${condition.unit === "percent" ? " %" : " points"} vs the previous ${String(condition.window)}${where}`;
    case "exceptions":
      switch (condition.trigger) {
        case "new":
          return `new ${typeWords(condition.type, "exception")} at ${String(condition.severity)} or above${where}`;
        case "sla_breach":
          return `${typeWords(condition.type, "exceptions")} past SLA ≥ ${String(condition.atLeast)}${where}`;
        case "amount_at_risk":
          return `amount at risk of open ${typeWords(condition.type, "exceptions")} > ${formatMoney(Number(condition.aboveMinor), reportingCurrency)}${where}`;
        default:
          return `open ${typeWords(condition.type, "exceptions")} ≥ ${String(condition.atLeast)}${where}`;
      }
    case "close":
      return `NO-GO within ${String(condition.withinDays)} days of the close deadline${where}`;
    default:
      return String(condition.kind);
  }
}
