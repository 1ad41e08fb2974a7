"use client";

import type { ComponentProps } from "react";
import type { SlaFormRow } from "@/lib/exceptions/sla-settings";
import { ActionForm, type FormAction } from "@/components/forms/action-form";
import { DataTable, inputColumns } from "@/components/table/data-table";

/** The two limits of each type, each a column of inputs. */
const LIMITS = [
  { header: "Warning after", field: "warningHours", label: "warning after" },
  { header: "SLA breached after", field: "breachHours", label: "SLA breached after" },
] as const;

type SlaFormProps = { rows: SlaFormRow[]; save: FormAction<{ savedAt: string }> };

/** The SLA targets per exception type as a table of inputs in hours. */
export function SlaForm({ rows, save }: SlaFormProps) {
  return (
    <ActionForm
      action={save}
      submit="Save SLA targets"
      success={() =>
        "SLA targets saved. The exception queue measures ages against them from its next refresh."
      }
      testId="sla-form"
      table
    >
      <DataTable
        stack={false}
        rows={rows.map((row) => ({ ...row, id: row.type }))}
        columns={[
          { header: "Exception type", rowHeader: true, cell: (row) => row.label },
          ...inputColumns(LIMITS, (row: SlaFormRow, { field, label }) => (
            <HoursInput
              name={`${row.type}.${field}`}
              label={`${row.label}: ${label}`}
              defaultValue={row[field]}
            />
          )),
        ]}
      />
    </ActionForm>
  );
}

function HoursInput({
  label,
  ...input
}: { label: string } & Pick<ComponentProps<"input">, "name" | "defaultValue">) {
  return (
    <label>
      <span className="visually-hidden">{label}</span>
      <input
        {...input}
        type="number"
        inputMode="decimal"
        min={0.25}
        step="any"
        required
        style={{ width: "6rem" }}
      />{" "}
      hours
    </label>
  );
}
