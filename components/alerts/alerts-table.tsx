import type { ReactNode } from "react";
import type { AlertListItem } from "@/lib/alerts/list";
import { TableRegion } from "@/components/table/table-region";
import { DateTime } from "@/components/ui/date-time";

const figure = (value: number | null) =>
  value === null ? "no data" : Number.isInteger(value) ? String(value) : value.toPrecision(4);

/** Alerts in one state; `action` renders what may be done to a row (acknowledge). */
export function AlertsTable({
  label,
  alerts,
  emptyText,
  action,
}: {
  label: string;
  alerts: AlertListItem[];
  emptyText: string;
  action?: (alert: AlertListItem) => ReactNode;
}) {
  if (alerts.length === 0) return <p className="muted">{emptyText}</p>;
  return (
    <TableRegion label={label}>
      <table className="data stack">
        <thead>
          <tr>
            <th scope="col">Rule</th>
            <th scope="col">Severity</th>
            <th scope="col">Where</th>
            <th scope="col">Value / threshold</th>
            <th scope="col">Since</th>
            <th scope="col">Resolved</th>
            <th scope="col">Acknowledged</th>
            {action ? (
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {alerts.map((a) => (
            <tr key={a.id} id={`alert-${a.id}`} data-testid="alert-row">
              <td data-label="Rule">{a.ruleName}</td>
              <td data-label="Severity">
                <span className={`badge ${a.severity === "critical" ? "bad" : ""}`}>
                  {a.severity}
                </span>
              </td>
              <td data-label="Where">{a.dimension || "whole company"}</td>
              <td data-label="Value / threshold">
                {figure(a.value)} / {figure(a.threshold)}
              </td>
              <td data-label="Since">
                <DateTime value={a.startedAt} />
              </td>
              <td data-label="Resolved">
                <DateTime value={a.resolvedAt} />
              </td>
              <td data-label="Acknowledged">
                {a.acknowledgedAt ? (
                  <>
                    {a.acknowledgedByName ?? "someone"}, <DateTime value={a.acknowledgedAt} />:{" "}
                    <q>{a.acknowledgeComment}</q>
                  </>
                ) : (
                  "—"
                )}
              </td>
              {action ? <td data-label="Actions">{action(a)}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
    </TableRegion>
  );
}
