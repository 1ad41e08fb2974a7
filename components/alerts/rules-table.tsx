import { DataTable } from "@/components/table/data-table";
import { RowActionButton } from "@/components/ui/row-action-button";
import type { RuleView } from "@/lib/alerts/rules";
import { KPI_METRIC_LABELS, type KpiMetric } from "@/lib/contract/alert-rules";
import type { ActionResult } from "@/lib/http/action-result";

/** The alert rules; `remove` is given to those who may delete them. */
export function RulesTable({
  rules,
  remove,
}: {
  rules: RuleView[];
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
          cell: (r) => <code>{describeCondition(r.condition, r.entity)}</code>,
        },
        { header: "For", cell: (r) => r.for },
        { header: "Enabled", cell: (r) => (r.enabled ? "yes" : "no") },
      ]}
    />
  );
}

function describeCondition(condition: Record<string, unknown>, entity: string | null): string {
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
          return `new ${String(condition.type ?? "exception")} at ${String(condition.severity)} or above${where}`;
        case "sla_breach":
          return `${String(condition.type ?? "exceptions")} past SLA ≥ ${String(condition.atLeast)}${where}`;
        case "amount_at_risk":
          return `amount at risk of open ${String(condition.type ?? "exceptions")} > ${String(condition.aboveMinor)} (reporting currency, minor units)${where}`;
        default:
          return `open ${String(condition.type)} ≥ ${String(condition.atLeast)}${where}`;
      }
    case "close":
      return `NO-GO within ${String(condition.withinDays)} days of the close deadline${where}`;
    default:
      return String(condition.kind);
  }
}
