import type { ReactNode } from "react";
import type { AlertListItem } from "@/lib/alerts/list";
import { DataTable } from "@/components/table/data-table";
import { DateTime } from "@/components/ui/date-time";
import type { AlertDelivery } from "@/lib/contract/alert-notices";
import { figureFormat, type FigureFormat } from "@/lib/alerts/figure";
import { AlertDeliveries } from "./alert-deliveries";

const plain = figureFormat(null, "");

/**
 * Alerts in one state; `action` renders what may be done to a row (acknowledge), and
 * `deliveries` each alert's delivery log.
 */
export function AlertsTable({
  label,
  alerts,
  emptyText,
  action,
  deliveries,
  figures,
}: {
  label: string;
  alerts: AlertListItem[];
  emptyText: string;
  action?: (alert: AlertListItem) => ReactNode;
  deliveries: ReadonlyMap<string, AlertDelivery[]>;
  /** Each rule's figures in its unit (money, %, durations), by rule id. */
  figures: ReadonlyMap<string, FigureFormat>;
}) {
  const shown = (a: AlertListItem, value: number | null, role?: "threshold") =>
    (figures.get(a.ruleId) ?? plain)(value, role);
  return (
    <DataTable
      label={label}
      rows={alerts}
      rowTestId="alert-row"
      rowAttributes={(a) => ({ id: `alert-${a.id}` })}
      empty={emptyText}
      rowActions={action}
      labelActionsOnPhone
      columns={[
        { header: "Rule", cell: (a) => a.ruleName },
        {
          header: "Severity",
          cell: (a) => (
            <span className={`badge ${a.severity === "critical" ? "bad" : ""}`}>{a.severity}</span>
          ),
        },
        { header: "Where", cell: (a) => a.dimension || "whole company" },
        {
          header: "Value / threshold",
          cell: (a) => (
            <>
              {shown(a, a.value)} / {shown(a, a.threshold, "threshold")}
            </>
          ),
        },
        { header: "Since", cell: (a) => <DateTime value={a.startedAt} /> },
        { header: "Resolved", cell: (a) => <DateTime value={a.resolvedAt} /> },
        {
          header: "Silenced",
          cell: (a) =>
            a.silencedUntil ? (
              <span data-testid="silenced-until">
                until <DateTime value={a.silencedUntil} />
              </span>
            ) : (
              "—"
            ),
        },
        {
          header: "Acknowledged",
          cell: (a) =>
            a.acknowledgedAt ? (
              <>
                {a.acknowledgedByName ?? "someone"}, <DateTime value={a.acknowledgedAt} />:{" "}
                <q>{a.acknowledgeComment}</q>
              </>
            ) : (
              "—"
            ),
        },
        {
          header: "Deliveries",
          cell: (a) => (
            <AlertDeliveries
              alertName={`${a.ruleName}${a.dimension ? `, ${a.dimension}` : ""}`}
              deliveries={deliveries.get(a.id) ?? []}
            />
          ),
        },
      ]}
    />
  );
}
