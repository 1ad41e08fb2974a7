"use client";

import { ActionForm, type FormAction } from "@/components/forms/action-form";
import { Options } from "@/components/forms/field";
import { DataTable } from "@/components/table/data-table";
import type { DeadlineFormRow } from "@/lib/close/deadline-words";
import { DEADLINE_KIND_LABELS, DEADLINE_KINDS, MAX_DEADLINE_DAY } from "@/lib/close/deadline-words";

type DeadlinesFormProps = { rows: DeadlineFormRow[]; save: FormAction<{ savedAt: string }> };

/** The default close deadline, then each entity's: its own rule, or the default. */
export function CloseDeadlinesForm({ rows, save }: DeadlinesFormProps) {
  return (
    <ActionForm
      action={save}
      submit="Save close deadlines"
      success={() =>
        "Close deadlines saved. Close alert rules use them from their next evaluation."
      }
      testId="close-deadlines-form"
      table
    >
      <DataTable
        stack={false}
        rows={rows.map((row) => ({ ...row, id: row.entity || "(default)" }))}
        columns={[
          {
            header: "Entity",
            rowHeader: true,
            cell: (row) => (row.entity === "" ? "Default" : row.entity),
          },
          {
            header: "Deadline",
            className: "nowrap",
            cell: (row) => {
              const name = row.entity === "" ? "the default" : row.entity;
              return (
                <>
                  <label>
                    <span className="visually-hidden">{`Deadline of ${name}`}</span>
                    <select name={`kind.${row.entity}`} defaultValue={row.kind}>
                      {row.entity === "" ? null : <option value="default">the default</option>}
                      <Options values={DEADLINE_KINDS} label={(k) => DEADLINE_KIND_LABELS[k]} />
                    </select>
                  </label>{" "}
                  <label>
                    <span className="visually-hidden">{`Day of ${name}`}</span>
                    <input
                      name={`day.${row.entity}`}
                      type="number"
                      min={1}
                      max={MAX_DEADLINE_DAY}
                      step={1}
                      required
                      defaultValue={row.day}
                      style={{ width: "5rem" }}
                    />
                  </label>
                </>
              );
            },
          },
        ]}
      />
    </ActionForm>
  );
}
