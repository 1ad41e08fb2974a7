import { formatMoney } from "@/lib/format";
import type { IncidentListItem } from "@/lib/exceptions/incident-view";

/** The amount at risk per currency, one line each; unknown amounts are said, not counted as zero. */
export function AmountsAtRisk({
  incident,
}: {
  incident: Pick<IncidentListItem, "amounts" | "unknownAmountCount">;
}) {
  const { amounts, unknownAmountCount } = incident;
  if (amounts.length === 0 && unknownAmountCount === 0) return <>—</>;
  return (
    <>
      {amounts.map((a) => (
        <div key={a.currency}>{formatMoney(a.amountMinor, a.currency)}</div>
      ))}
      {unknownAmountCount > 0 ? (
        <div className="muted">{`${unknownAmountCount} unknown`}</div>
      ) : null}
    </>
  );
}

export function IncidentStatusBadge({ status }: { status: IncidentListItem["status"] }) {
  return (
    <span className="badge" data-testid="incident-status">
      {status === "open" ? "Open" : "Resolved"}
    </span>
  );
}
