import type { Metadata } from "next";
import { getDb } from "@/db";
import { AdminTabs } from "@/components/admin/admin-tabs";
import { listApiKeys, listPersonalTokens } from "@/lib/auth/api-keys";
import { guardPage } from "@/lib/auth/session";
import { RowActionButton } from "@/components/ui/row-action-button";
import { revokeApiKeyAction } from "./actions";
import { CreateApiKeyForm } from "./client";
import { TokenTable } from "../../profile/token-table";
import { DateTime, DateTimeOrNever } from "@/components/ui/date-time";
import { DataTable } from "@/components/table/data-table";

export const metadata: Metadata = { title: "API keys" };

export default async function ApiKeysPage() {
  await guardPage("/admin/api-keys");
  const db = await getDb();
  const keys = await listApiKeys(db);
  const tokens = await listPersonalTokens(db, null);
  return (
    <>
      <h1>Admin</h1>
      <AdminTabs current="/admin/api-keys" />
      <section className="card" aria-labelledby="new-key">
        <h2 id="new-key">Create an API key</h2>
        <CreateApiKeyForm />
      </section>
      <section className="card" aria-labelledby="keys">
        <h2 id="keys">API keys</h2>
        <DataTable
          label="API keys"
          stack
          rows={keys}
          rowKey={(key) => key.id}
          empty="No API keys yet. Integrations need one with the ingest scope to send telemetry."
          rowActions={(key) =>
            key.revokedAt ? null : (
              <RowActionButton
                id={key.id}
                label="Revoke"
                pendingLabel="Revoking…"
                ariaLabel={`Revoke key ${key.name}`}
                danger
                confirm={`Revoke the key "${key.name}"? Integrations using it will get 401 at once.`}
                action={revokeApiKeyAction}
              />
            )
          }
          columns={[
            { header: "Name", cell: (key) => key.name },
            { header: "Key", cell: (key) => <code>{key.prefix}…</code> },
            { header: "Scopes", cell: (key) => key.scopes.join(", ") },
            { header: "Created", cell: (key) => <DateTime value={key.createdAt} /> },
            { header: "Last used", cell: (key) => <DateTimeOrNever value={key.lastUsedAt} /> },
            {
              header: "Status",
              cell: (key) =>
                key.revokedAt ? (
                  <span className="badge bad">
                    revoked <DateTime value={key.revokedAt} />
                  </span>
                ) : (
                  <span className="badge ok">active</span>
                ),
            },
          ]}
        />
      </section>
      <section className="card" aria-labelledby="tokens">
        <h2 id="tokens">Personal tokens</h2>
        <TokenTable tokens={tokens} showUser empty="No one has created a personal token." />
      </section>
    </>
  );
}
