"use client";

import { useActionState, type ComponentProps } from "react";
import type { SlaFormRow } from "@/lib/exceptions/sla-settings";
import type { ActionResult } from "@/lib/http/action-result";

type SaveSla = (
  previous: ActionResult<{ savedAt: string }> | null,
  form: FormData,
) => Promise<ActionResult<{ savedAt: string }>>;

/** The SLA targets per exception type as a table of inputs in hours. */
export function SlaForm({ rows, save }: { rows: SlaFormRow[]; save: SaveSla }) {
  const [state, action, pending] = useActionState(save, null);
  return (
    <form action={action} data-testid="sla-form">
      <div className="table-wrap">
        <table className="data">
          <thead>
            <tr>
              <th scope="col">Exception type</th>
              <th scope="col">Warning after</th>
              <th scope="col">SLA breached after</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.type}>
                <th scope="row" style={{ background: "none", color: "var(--text)" }}>
                  {row.label}
                </th>
                <td className="nowrap">
                  <HoursInput
                    name={`${row.type}.warningHours`}
                    label={`${row.label}: warning after`}
                    defaultValue={row.warningHours}
                  />
                </td>
                <td className="nowrap">
                  <HoursInput
                    name={`${row.type}.breachHours`}
                    label={`${row.label}: SLA breached after`}
                    defaultValue={row.breachHours}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="form-row" style={{ marginTop: "1rem" }}>
        <button className="primary" type="submit" disabled={pending}>
          {pending ? "Saving…" : "Save SLA targets"}
        </button>
        {state && !state.ok ? (
          <p className="alert error" role="alert" style={{ flexBasis: "100%" }}>
            {state.error}
          </p>
        ) : null}
        {state?.ok ? (
          <p className="alert success" role="status" style={{ flexBasis: "100%" }}>
            SLA targets saved. The exception queue measures ages against them from its next refresh.
          </p>
        ) : null}
      </div>
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
