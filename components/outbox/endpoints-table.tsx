import type { EndpointSummary } from "@/lib/outbox/endpoints";
import type { ActionResult } from "@/lib/http/action-result";
import { RowActionButton } from "@/components/ui/row-action-button";
import { DateTime } from "@/components/ui/date-time";
import { TableRegion } from "@/components/table/table-region";

export function EndpointsTable({
  endpoints,
  deactivate,
}: {
  endpoints: EndpointSummary[];
  deactivate: (form: FormData) => Promise<ActionResult>;
}) {
  if (endpoints.length === 0) {
    return (
      <p className="muted">
        No webhook endpoint yet. Retries and approved corrections cannot leave Closeline until one
        receives their kind.
      </p>
    );
  }
  return (
    <TableRegion label="Webhook endpoints">
      <table className="data stack">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">URL</th>
            <th scope="col">Receives</th>
            <th scope="col">Added</th>
            <th scope="col">Status</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {endpoints.map((e) => (
            <tr key={e.id} data-testid="webhook-endpoint">
              <td data-label="Name">{e.name}</td>
              <td data-label="URL">
                <code>{e.url}</code>
              </td>
              <td data-label="Receives">
                {e.kinds.length ? (
                  e.kinds.map((k) => <code key={k}>{k} </code>)
                ) : (
                  <span className="muted">nothing</span>
                )}
              </td>
              <td data-label="Added">
                <DateTime value={e.createdAt} />
              </td>
              <td data-label="Status">
                {e.active ? (
                  <span className="badge ok">active</span>
                ) : (
                  <>
                    <span className="badge">deactivated</span> <DateTime value={e.deactivatedAt} />
                  </>
                )}
              </td>
              <td>
                {e.active ? (
                  <RowActionButton
                    id={e.id}
                    label="Deactivate"
                    pendingLabel="Deactivating…"
                    danger
                    confirm={`Deactivate "${e.name}"? Commands still waiting for it will be dead-lettered; re-send them once another endpoint receives their kind.`}
                    action={deactivate}
                  />
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableRegion>
  );
}
