"use client";

import type { TargetFormRow } from "@/lib/kpi/targets";
import { ActionForm } from "@/components/forms/action-form";
import { DataTable, inputColumns } from "@/components/table/data-table";
import { saveTargetsAction } from "./actions";

/** A target's two levels, each a column of inputs. */
const LEVELS = [
  { header: "On target when", level: "ok", label: "target" },
  { header: "Warning (not red) when", level: "warn", label: "warning level" },
] as const;

/** The KPI targets as a table of inputs; an empty target means the tile shows no colour. */
export function TargetsForm({ rows }: { rows: TargetFormRow[] }) {
  return (
    <ActionForm
      action={saveTargetsAction}
      submit="Save targets"
      success={() => "Targets saved. The overview uses them from its next refresh."}
      testId="targets-form"
      table
    >
      <DataTable
        label="KPI targets"
        stack={false}
        rows={rows.map((row) => ({ ...row, id: row.metric }))}
        columns={[
          { header: "KPI", rowHeader: true, cell: (row) => row.label },
          ...inputColumns(LEVELS, (row: TargetFormRow, { level, label }) => (
            <TargetInput row={row} level={level} label={label} />
          )),
          { header: "Default", className: "muted", cell: (row) => row.defaultRule },
        ]}
      />
    </ActionForm>
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
