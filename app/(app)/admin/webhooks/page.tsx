import type { Metadata } from "next";
import { CardSection } from "@/components/ui/card-section";
import { getDb } from "@/db";
import { COMMAND_KINDS } from "@/db/schema";
import { AdminHeader } from "@/components/admin/admin-tabs";
import { CommandsTable } from "@/components/outbox/commands-table";
import { CreateEndpointForm } from "@/components/outbox/endpoint-form";
import { EndpointsTable } from "@/components/outbox/endpoints-table";
import { guardPage } from "@/lib/auth/session";
import { countCommandsByStatus, deliveryLog, listCommands } from "@/lib/outbox/commands";
import { listEndpoints } from "@/lib/outbox/endpoints";
import { createEndpointAction, deactivateEndpointAction, resendCommandAction } from "./actions";

export const metadata: Metadata = { title: "Webhooks" };

/** Where retries and approved corrections go, and how their deliveries went. */
export default async function WebhooksPage() {
  await guardPage("/admin/webhooks");
  const db = await getDb();
  const [endpoints, dead, recent, counts] = await Promise.all([
    listEndpoints(db),
    listCommands(db, { statuses: ["dead"], limit: 100 }),
    listCommands(db, { statuses: ["pending", "delivering", "delivered"], limit: 50 }),
    countCommandsByStatus(db),
  ]);
  const deliveries = await deliveryLog(
    db,
    [...dead, ...recent].map((c) => c.id),
  );
  return (
    <>
      <AdminHeader current="/admin/webhooks" />
      <CardSection id="new-endpoint" title="Add a webhook endpoint">
        <CreateEndpointForm kinds={COMMAND_KINDS} create={createEndpointAction} />
      </CardSection>
      <CardSection id="endpoints" title="Endpoints">
        <EndpointsTable endpoints={endpoints} deactivate={deactivateEndpointAction} />
      </CardSection>
      <CardSection id="dead" title={`Dead-lettered commands (${counts.dead})`}>
        <p className="muted" style={{ marginTop: 0 }}>
          Commands not delivered after their last attempt. Re-send one once its receiver is back; it
          keeps its webhook-id, so a receiver that did get it after all can drop the repeat.
        </p>
        <CommandsTable
          commands={dead}
          deliveries={deliveries}
          resend={resendCommandAction}
          emptyText="No dead-lettered command."
        />
      </CardSection>
      <CardSection id="recent" title="Recent commands">
        <p className="muted" style={{ marginTop: 0 }}>
          {counts.pending + counts.delivering} waiting or being delivered, {counts.delivered}{" "}
          delivered in all. Failed attempts are retried after 30 s, 2 min, 10 min, 1 h and 6 h (with
          jitter).
        </p>
        <CommandsTable
          commands={recent}
          deliveries={deliveries}
          emptyText="No command has been sent yet."
        />
      </CardSection>
    </>
  );
}
