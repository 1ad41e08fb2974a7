"use client";

import { useActionState, type ComponentProps } from "react";
import type { SlaFormRow } from "@/lib/exceptions/sla-settings";
import type { ActionResult } from "@/lib/http/action-result";
import { FormFooter, FormStatus } from "@/components/forms/form-status";
import { SubmitButton } from "@/components/forms/submit-button";
import { DataTable } from "@/components/table/data-table";

type SaveSla = (
  previous: ActionResult<{ savedAt: string }> | null,
  form: FormData,
) => Promise<ActionResult<{ savedAt: string }>>;

/** The SLA targets per exception type as a table of inputs in hours. */
export function SlaForm({ rows, save }: { rows: SlaFormRow[]; save: SaveSla }) {
  const [state, action] = useActionState(save, null);
  return (
    <form action={action} data-testid="sla-form">
      <DataTable
        rows={rows}
        rowKey={(row) => row.type}
        columns={[
          { header: "Exception type", rowHeader: true, cell: (row) => row.label },
          {
            header: "Warning after",
            className: "nowrap",
            cell: (row) => (
              <HoursInput
                name={`${row.type}.warningHours`}
                label={`${row.label}: warning after`}
                defaultValue={row.warningHours}
              />
            ),
          },
          {
            header: "SLA breached after",
            className: "nowrap",
            cell: (row) => (
              <HoursInput
                name={`${row.type}.breachHours`}
                label={`${row.label}: SLA breached after`}
                defaultValue={row.breachHours}
              />
            ),
          },
        ]}
      />
      <FormFooter>
        <SubmitButton label="Save SLA targets" pendingLabel="Saving…" />
        <FormStatus
          state={state}
          success={() =>
            "SLA targets saved. The exception queue measures ages against them from its next refresh."
          }
        />
      </FormFooter>
    </form>
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
