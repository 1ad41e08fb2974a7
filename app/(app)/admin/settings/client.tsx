"use client";

import { useActionState } from "react";
import type { TargetFormRow } from "@/lib/kpi/targets";
import { FormFooter, FormStatus } from "@/components/forms/form-status";
import { SubmitButton } from "@/components/forms/submit-button";
import { DataTable } from "@/components/table/data-table";
import { saveTargetsAction } from "./actions";

/** The KPI targets as a table of inputs; an empty target means the tile shows no colour. */
export function TargetsForm({ rows }: { rows: TargetFormRow[] }) {
  const [state, action] = useActionState(saveTargetsAction, null);
  return (
    <form action={action} data-testid="targets-form">
      <DataTable
        label="KPI targets"
        rows={rows}
        rowKey={(row) => row.metric}
        columns={[
          { header: "KPI", rowHeader: true, cell: (row) => row.label },
          {
            header: "On target when",
            className: "nowrap",
            cell: (row) => <TargetInput row={row} level="ok" label="target" />,
          },
          {
            header: "Warning (not red) when",
            className: "nowrap",
            cell: (row) => <TargetInput row={row} level="warn" label="warning level" />,
          },
          { header: "Default", className: "muted", cell: (row) => row.defaultRule },
        ]}
      />
      <FormFooter>
        <SubmitButton label="Save targets" pendingLabel="Saving…" />
        <FormStatus
          state={state}
          success={() => "Targets saved. The overview uses them from its next refresh."}
        />
      </FormFooter>
    </form>
  );
}

function TargetInput({
  row,
  level,
  label,
}: {
  row: TargetFormRow;
  level: "ok" | "warn";
  label: string;
}) {
  return (
    <label>
      <span className="visually-hidden">{`${row.label} ${label}`}</span>
      {row.sign}{" "}
      <input
        name={`${row.metric}.${level}`}
        defaultValue={row[level]}
        inputMode="decimal"
        size={8}
        placeholder="none"
      />{" "}
      {row.unit}
    </label>
  );
}
