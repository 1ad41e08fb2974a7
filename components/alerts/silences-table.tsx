import { DataTable } from "@/components/table/data-table";
import { DateTime } from "@/components/ui/date-time";
import { RowActionButton } from "@/components/ui/row-action-button";
import type { SilenceView } from "@/lib/alerts/silences";
import type { ActionResult } from "@/lib/http/action-result";

/** The silences in force; `lift` is given to those who may silence. */
export function SilencesTable({
  silences,
  lift,
}: {
  silences: SilenceView[];
  lift?: (form: FormData) => Promise<ActionResult>;
}) {
  return (
    <DataTable
      label="Silences in force"
      rows={silences}
      rowTestId="alert-silence"
      empty="Nothing is silenced."
      rowActions={
        lift
          ? (s) => (
              <RowActionButton
                id={s.id}
                label="Lift"
                pendingLabel="Lifting…"
                ariaLabel={`Lift the silence on ${s.ruleName}${s.dimension ? `, ${s.dimension}` : ""}`}
                action={lift}
              />
            )
          : undefined
      }
      labelActionsOnPhone
      columns={[
        { header: "Rule", cell: (s) => s.ruleName },
        { header: "Where", cell: (s) => s.dimension ?? "every alert of the rule" },
        { header: "Until", cell: (s) => <DateTime value={s.until} /> },
        { header: "Why", cell: (s) => <q>{s.comment}</q> },
        { header: "By", cell: (s) => s.createdByName ?? "someone" },
      ]}
    />
  );
}
