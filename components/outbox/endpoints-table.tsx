import type { EndpointSummary } from "@/lib/outbox/endpoints";
import type { ActionResult } from "@/lib/http/action-result";
import { RowActionButton } from "@/components/ui/row-action-button";
import { DateTime } from "@/components/ui/date-time";
import { DataTable } from "@/components/table/data-table";

export function EndpointsTable({
  endpoints,
  deactivate,
}: {
  endpoints: EndpointSummary[];
  deactivate: (form: FormData) => Promise<ActionResult>;
}) {
  return (
    <DataTable
      label="Webhook endpoints"
      rows={endpoints}
      rowTestId="webhook-endpoint"
      empty="No webhook endpoint yet. Retries and approved corrections cannot leave Closeline until one receives their kind."
      rowActions={(e) =>
        e.active ? (
          <RowActionButton
            id={e.id}
            label="Deactivate"
            pendingLabel="Deactivating…"
            danger
            confirm={`Deactivate "${e.name}"? Commands still waiting for it will be dead-lettered; re-send them once another endpoint receives their kind.`}
            action={deactivate}
          />
        ) : null
      }
      columns={[
        { header: "Name", cell: (e) => e.name },
        { header: "URL", cell: (e) => <code>{e.url}</code> },
        {
          header: "Receives",
          cell: (e) =>
            e.kinds.length ? (
              e.kinds.map((k) => <code key={k}>{k} </code>)
            ) : (
              <span className="muted">nothing</span>
            ),
        },
        { header: "Added", cell: (e) => <DateTime value={e.createdAt} /> },
        {
          header: "Status",
          cell: (e) =>
            e.active ? (
              <span className="badge ok">active</span>
            ) : (
              <>
                <span className="badge">deactivated</span> <DateTime value={e.deactivatedAt} />
              </>
            ),
        },
      ]}
    />
  );
}
