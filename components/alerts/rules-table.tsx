import { DataTable } from "@/components/table/data-table";
import { RowActionButton } from "@/components/ui/row-action-button";
import type { RuleView } from "@/lib/alerts/rules";
import { describeCondition, heldFor } from "@/lib/alerts/rule-words";
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
          cell: (r) => describeCondition(r.condition, r.entity, reportingCurrency),
        },
        { header: "For", cell: (r) => heldFor(r.for) },
        { header: "Enabled", cell: (r) => (r.enabled ? "yes" : "no") },
      ]}
    />
  );
}
