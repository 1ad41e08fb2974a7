"use client";

import { useActionState } from "react";
import type { TargetFormRow } from "@/lib/kpi/targets";
import { TableRegion } from "@/components/table/table-region";
import { saveTargetsAction } from "./actions";

/** The KPI targets as a table of inputs; an empty target means the tile shows no colour. */
export function TargetsForm({ rows }: { rows: TargetFormRow[] }) {
  const [state, action, pending] = useActionState(saveTargetsAction, null);
  return (
    <form action={action} data-testid="targets-form">
      <TableRegion label="KPI targets">
        <table className="data">
          <thead>
            <tr>
              <th scope="col">KPI</th>
              <th scope="col">On target when</th>
              <th scope="col">Warning (not red) when</th>
              <th scope="col">Default</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.metric}>
                <th scope="row" style={{ background: "none", color: "var(--text)" }}>
                  {row.label}
                </th>
                <td className="nowrap">
                  <label>
                    <span className="visually-hidden">{row.label} target</span>
                    {row.sign}{" "}
                    <input
                      name={`${row.metric}.ok`}
                      defaultValue={row.ok}
                      inputMode="decimal"
                      size={8}
                      placeholder="none"
                    />{" "}
                    {row.unit}
                  </label>
                </td>
                <td className="nowrap">
                  <label>
                    <span className="visually-hidden">{row.label} warning level</span>
                    {row.sign}{" "}
                    <input
                      name={`${row.metric}.warn`}
                      defaultValue={row.warn}
                      inputMode="decimal"
                      size={8}
                      placeholder="none"
                    />{" "}
                    {row.unit}
                  </label>
                </td>
                <td className="muted">{row.defaultRule}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableRegion>
      <div className="form-row" style={{ marginTop: "1rem" }}>
        <button className="primary" type="submit" disabled={pending}>
          {pending ? "Saving…" : "Save targets"}
        </button>
        {state && !state.ok ? (
          <p className="alert error" role="alert" style={{ flexBasis: "100%" }}>
            {state.error}
          </p>
        ) : null}
        {state?.ok ? (
          <p className="alert success" role="status" style={{ flexBasis: "100%" }}>
            Targets saved. The overview uses them from its next refresh.
          </p>
        ) : null}
      </div>
    </form>
  );
}
