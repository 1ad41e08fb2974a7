import type { Metadata } from "next";
import { CardSection } from "@/components/ui/card-section";
import { getDb } from "@/db";
import { AdminHeader } from "@/components/admin/admin-tabs";
import { listApiKeys, listPersonalTokens } from "@/lib/auth/api-keys";
import { guardPage } from "@/lib/auth/session";
import { credentialColumns, RevokeButton } from "@/components/admin/credentials";
import { revokeApiKeyAction } from "./actions";
import { CreateApiKeyForm } from "./client";
import { TokenTable } from "../../profile/token-table";
import { DataTable } from "@/components/table/data-table";

export const metadata: Metadata = { title: "API keys" };

export default async function ApiKeysPage() {
  await guardPage("/admin/api-keys");
  const db = await getDb();
  const keys = await listApiKeys(db);
  const tokens = await listPersonalTokens(db, null);
  const key = credentialColumns<(typeof keys)[number]>("Key");
  return (
    <>
      <AdminHeader current="/admin/api-keys" />
      <CardSection id="new-key" title="Create an API key">
        <CreateApiKeyForm />
      </CardSection>
      <CardSection id="keys" title="API keys">
        <DataTable
          label="API keys"
          rows={keys}
          empty="No API keys yet. Integrations need one with the ingest scope to send telemetry."
          columns={[
            key.name,
            key.prefix,
            { header: "Scopes", cell: (k) => k.scopes.join(", ") },
            key.created,
            key.lastUsed,
            key.status,
          ]}
          rowActions={(k) =>
            k.revokedAt ? null : (
              <RevokeButton
                credential={k}
                noun="key"
                consequence="Integrations using it"
                action={revokeApiKeyAction}
              />
            )
          }
        />
      </CardSection>
      <CardSection id="tokens" title="Personal tokens">
        <TokenTable tokens={tokens} showUser empty="No one has created a personal token." />
      </CardSection>
    </>
  );
}
