import type { ActionResult } from "@/lib/http/action-result";
import type { CommandStatus, CommandSummary, OutboxDelivery } from "@/lib/outbox/commands";
import { RowActionButton } from "@/components/ui/row-action-button";
import { DateTime } from "@/components/ui/date-time";
import { DataTable } from "@/components/table/data-table";

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
  const byCommand = new Map<string, OutboxDelivery[]>();
  for (const d of deliveries)
    byCommand.set(d.commandId, [...(byCommand.get(d.commandId) ?? []), d]);
  return (
    <DataTable
      label="Commands"
      rows={commands}
      stack={false}
      rowTestId="outbox-command"
      rowAttributes={(c) => ({ "data-status": c.status })}
      empty={emptyText}
      rowActions={
        resend
          ? (c) =>
              c.status === "dead" ? (
                <RowActionButton
                  id={c.id}
                  label="Re-send"
                  pendingLabel="Re-sending…"
                  action={resend}
                />
              ) : null
          : undefined
      }
      columns={[
        {
          header: "Command",
          cell: (c) => (
            <>
              <code>{c.kind}</code>
              <div className="muted" style={{ fontSize: "0.8rem" }}>
                {c.id}
              </div>
            </>
          ),
        },
        {
          header: "For",
          cell: (c) => (
            <>
              {target(c.payload)}
              {c.exceptionId ? (
                <div>
                  <a href={`/exceptions/${c.exceptionId}`}>exception</a>
                </div>
              ) : null}
            </>
          ),
        },
        { header: "Endpoint", cell: (c) => c.endpointName },
        {
          header: "Requested",
          cell: (c) => (
            <>
              <DateTime value={c.createdAt} />
              {c.createdByEmail ? <div className="muted">{c.createdByEmail}</div> : null}
            </>
          ),
        },
        { header: "Status", cell: (c) => <CommandStatusCell command={c} /> },
        {
          header: "Last error",
          cell: (c) =>
            c.lastError ? <span>{c.lastError}</span> : <span className="muted">—</span>,
        },
        {
          header: "Delivery log",
          cell: (c) => <DeliveryLog deliveries={byCommand.get(c.id) ?? []} />,
        },
      ]}
    />
  );
}

function CommandStatusCell({ command: c }: { command: CommandSummary }) {
  return (
    <>
      <span className={STATUS_BADGE[c.status]}>{c.status}</span>
      <div className="muted" style={{ fontSize: "0.8rem" }}>
        {c.status === "delivered" ? (
          <DateTime value={c.deliveredAt} />
        ) : c.status === "pending" && c.attempts > 0 ? (
          <>
            next attempt <DateTime value={c.nextAttemptAt} />
          </>
        ) : (
          `${c.attempts} attempt${c.attempts === 1 ? "" : "s"}`
        )}
      </div>
    </>
  );
}
