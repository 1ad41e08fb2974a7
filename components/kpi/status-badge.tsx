import type { KpiStatus } from "@/lib/kpi/targets";

/*
 * A KPI status in words and a symbol as well as colour, so it reads the same to someone who
 * does not see the colour (WCAG 1.4.1). "No data" and "no target" are neutral grey: only a
 * measured value that meets its target is ever green.
 */
export const STATUS_TEXT: Record<KpiStatus, { label: string; icon: string; className: string }> = {
  ok: { label: "On target", icon: "✓", className: "badge ok" },
  warn: { label: "Warning", icon: "!", className: "badge warn" },
  bad: { label: "Off target", icon: "✕", className: "badge bad" },
  "no-data": { label: "No data", icon: "–", className: "badge" },
  "no-target": { label: "No target", icon: "○", className: "badge" },
};

export function StatusBadge({ status }: { status: KpiStatus }) {
  const { label, icon, className } = STATUS_TEXT[status];
  return (
    <span className={className} data-status={status}>
      <span aria-hidden="true">{icon}</span> {label}
    </span>
  );
}
