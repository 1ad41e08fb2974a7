import type { AlertDelivery } from "@/lib/contract/alert-notices";
import { DateTime } from "@/components/ui/date-time";

const STATUS_BADGE: Record<AlertDelivery["status"], string> = {
  pending: "badge warn",
  delivering: "badge warn",
  delivered: "badge ok",
  dead: "badge bad",
};

const STATUS_WORDS: Record<AlertDelivery["status"], string> = {
  pending: "waiting",
  delivering: "sending",
  delivered: "delivered",
  dead: "dead-lettered",
};

/**
 * An alert's delivery log: each notice (firing, resolved, acknowledged) to each channel, and
 * every attempt with the receiver's answer. Folded: a row of the alerts table stays one line.
 */
export function AlertDeliveries({
  alertName,
  deliveries,
}: {
  alertName: string;
  deliveries: AlertDelivery[];
}) {
  if (deliveries.length === 0) return <span className="muted">none</span>;
  const failing = deliveries.filter((d) => d.status !== "delivered").length;
  return (
    <details data-testid="alert-deliveries">
      <summary>
        {deliveries.length} notice{deliveries.length === 1 ? "" : "s"}
        {failing ? `, ${failing} not delivered` : ""}
        {/* Names the alert for a screen reader, which hears the summary out of its row. */}
        <span className="visually-hidden"> of {alertName}</span>
      </summary>
      <ul style={{ margin: "0.25rem 0 0", paddingLeft: "1.25rem" }}>
        {deliveries.map((d) => (
          <li key={d.id} data-testid="alert-delivery" data-status={d.status}>
            <strong>{d.transition}</strong> to {d.channel.name} ({d.channel.kind}
            {d.alertsInMessage > 1 ? `, grouped with ${d.alertsInMessage - 1} more` : ""}){" "}
            <span className={STATUS_BADGE[d.status]}>{STATUS_WORDS[d.status]}</span>
            {d.nextAttemptAt ? (
              <>
                {" "}
                next attempt <DateTime value={d.nextAttemptAt} />
              </>
            ) : null}
            {d.attempts.length ? (
              <ol style={{ margin: 0, paddingLeft: "1.25rem" }}>
                {d.attempts.map((a) => (
                  <li key={`${a.attempt}-${a.at}`}>
                    #{a.attempt} <DateTime value={a.at} /> —{" "}
                    {a.ok ? <code>{a.result}</code> : <span>{a.result}</span>}
                    {a.durationMs !== null ? (
                      <span className="muted"> ({a.durationMs} ms)</span>
                    ) : null}
                  </li>
                ))}
              </ol>
            ) : null}
          </li>
        ))}
      </ul>
    </details>
  );
}
