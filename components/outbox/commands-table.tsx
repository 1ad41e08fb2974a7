import type { ActionResult } from "@/lib/http/action-result";
import type { CommandStatus, CommandSummary, OutboxDelivery } from "@/lib/outbox/commands";
import { RowActionButton } from "@/components/ui/row-action-button";
import { DateTime } from "@/components/ui/date-time";
import { TableRegion } from "@/components/table/table-region";

const STATUS_BADGE: Record<CommandStatus, string> = {
  pending: "badge warn",
  delivering: "badge warn",
  delivered: "badge ok",
  dead: "badge bad",
};

function target(payload: unknown): string {
  const p = (payload ?? {}) as Record<string, unknown>;
  const parts = [p.postingId, p.invoiceId, p.correctionId].filter((v) => typeof v === "string");
  return parts.join(" · ");
}

/** Each attempt of one command: when, the receiver's answer or the error, how long it took. */
function DeliveryLog({ deliveries }: { deliveries: OutboxDelivery[] }) {
  if (deliveries.length === 0) return <span className="muted">no attempt yet</span>;
  return (
    <details>
      <summary>
        {deliveries.length} attempt{deliveries.length === 1 ? "" : "s"}
      </summary>
      <ol style={{ margin: "0.25rem 0 0", paddingLeft: "1.25rem" }} data-testid="delivery-log">
        {deliveries.map((d) => (
          <li key={d.id}>
            #{d.attempt} <DateTime value={d.at} /> —{" "}
            {d.httpStatus !== null ? <code>HTTP {d.httpStatus}</code> : null}
            {d.error && d.httpStatus === null ? <span>{d.error}</span> : null}
            {d.durationMs !== null ? <span className="muted"> ({d.durationMs} ms)</span> : null}
          </li>
        ))}
      </ol>
    </details>
  );
}

export function CommandsTable({
  commands,
  deliveries,
  resend,
  emptyText,
}: {
  commands: CommandSummary[];
  deliveries: OutboxDelivery[];
  resend?: (form: FormData) => Promise<ActionResult>;
  emptyText: string;
}) {
  if (commands.length === 0) return <p className="muted">{emptyText}</p>;
  const byCommand = new Map<string, OutboxDelivery[]>();
  for (const d of deliveries)
    byCommand.set(d.commandId, [...(byCommand.get(d.commandId) ?? []), d]);
  return (
    <TableRegion label="Commands">
      <table className="data">
        <thead>
          <tr>
            <th scope="col">Command</th>
            <th scope="col">For</th>
            <th scope="col">Endpoint</th>
            <th scope="col">Requested</th>
            <th scope="col">Status</th>
            <th scope="col">Last error</th>
            <th scope="col">Delivery log</th>
            {resend ? (
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {commands.map((c) => (
            <tr key={c.id} data-testid="outbox-command" data-status={c.status}>
              <td>
                <code>{c.kind}</code>
                <div className="muted" style={{ fontSize: "0.8rem" }}>
                  {c.id}
                </div>
              </td>
              <td>
                {target(c.payload)}
                {c.exceptionId ? (
                  <div>
                    <a href={`/exceptions/${c.exceptionId}`}>exception</a>
                  </div>
                ) : null}
              </td>
              <td>{c.endpointName}</td>
              <td>
                <DateTime value={c.createdAt} />
                {c.createdByEmail ? <div className="muted">{c.createdByEmail}</div> : null}
              </td>
              <td>
                <span className={STATUS_BADGE[c.status]}>{c.status}</span>
                <div className="muted" style={{ fontSize: "0.8rem" }}>
                  {c.status === "delivered" ? (
                    <DateTime value={c.deliveredAt} />
                  ) : c.status === "pending" && c.attempts > 0 ? (
                    `next attempt $<DateTime value={c.nextAttemptAt} />`
                  ) : (
                    `${c.attempts} attempt${c.attempts === 1 ? "" : "s"}`
                  )}
                </div>
              </td>
              <td>{c.lastError ? <span>{c.lastError}</span> : <span className="muted">—</span>}</td>
              <td>
                <DeliveryLog deliveries={byCommand.get(c.id) ?? []} />
              </td>
              {resend ? (
                <td>
                  {c.status === "dead" ? (
                    <RowActionButton
                      id={c.id}
                      label="Re-send"
                      pendingLabel="Re-sending…"
                      action={resend}
                    />
                  ) : null}
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </TableRegion>
  );
}
