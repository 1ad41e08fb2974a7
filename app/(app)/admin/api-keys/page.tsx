import type { Metadata } from "next";
import { getDb } from "@/db";
import { AdminTabs } from "@/components/admin/admin-tabs";
import { listApiKeys, listPersonalTokens } from "@/lib/auth/api-keys";
import { guardPage } from "@/lib/auth/session";
import { RowActionButton } from "@/components/ui/row-action-button";
import { revokeApiKeyAction } from "./actions";
import { CreateApiKeyForm } from "./client";
import { TokenTable } from "../../profile/token-table";
import { DateTime } from "@/components/ui/date-time";
import { TableRegion } from "@/components/table/table-region";

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
        {keys.length === 0 ? (
          <p className="muted">
            No API keys yet. Integrations need one with the ingest scope to send telemetry.
          </p>
        ) : (
          <TableRegion label="API keys">
            <table className="data stack">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Key</th>
                  <th scope="col">Scopes</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Status</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {keys.map((key) => (
                  <tr key={key.id}>
                    <td data-label="Name">{key.name}</td>
                    <td data-label="Key">
                      <code>{key.prefix}…</code>
                    </td>
                    <td data-label="Scopes">{key.scopes.join(", ")}</td>
                    <td data-label="Created">
                      <DateTime value={key.createdAt} />
                    </td>
                    <td data-label="Last used">
                      {key.lastUsedAt ? (
                        <DateTime value={key.lastUsedAt} />
                      ) : (
                        <span className="muted">never</span>
                      )}
                    </td>
                    <td data-label="Status">
                      {key.revokedAt ? (
                        <span className="badge bad">
                          revoked <DateTime value={key.revokedAt} />
                        </span>
                      ) : (
                        <span className="badge ok">active</span>
                      )}
                    </td>
                    <td>
                      {key.revokedAt ? null : (
                        <RowActionButton
                          id={key.id}
                          label="Revoke"
                          pendingLabel="Revoking…"
                          ariaLabel={`Revoke key ${key.name}`}
                          danger
                          confirm={`Revoke the key "${key.name}"? Integrations using it will get 401 at once.`}
                          action={revokeApiKeyAction}
                        />
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableRegion>
        )}
      </section>
      <section className="card" aria-labelledby="tokens">
        <h2 id="tokens">Personal tokens</h2>
        {tokens.length === 0 ? (
          <p className="muted">No one has created a personal token.</p>
        ) : (
          <TokenTable tokens={tokens} showUser />
        )}
      </section>
    </>
  );
}
