import type { ReactNode } from "react";
import { DataTable } from "@/components/table/data-table";
import { DateTime, DateTimeOrNever } from "@/components/ui/date-time";
import { RowActionButton } from "@/components/ui/row-action-button";
import type { PersonalTokenSummary } from "@/lib/auth/api-keys";
import { revokeTokenAction } from "./token-actions";

/** Personal tokens, on the profile (one's own) and on the admin's keys page (everyone's). */
export function TokenTable({
  tokens,
  showUser,
  empty,
}: {
  tokens: PersonalTokenSummary[];
  showUser: boolean;
  empty?: ReactNode;
}) {
  return (
    <DataTable
      label="Personal tokens"
      stack
      rows={tokens}
      rowKey={(token) => token.id}
      empty={empty}
      rowActions={(token) =>
        token.revokedAt || token.expired ? null : (
          <RowActionButton
            id={token.id}
            label="Revoke"
            pendingLabel="Revoking…"
            ariaLabel={`Revoke token ${token.name}`}
            danger
            confirm={`Revoke the token "${token.name}"? Scripts using it will get 401 at once.`}
            action={revokeTokenAction}
          />
        )
      }
      columns={[
        { header: "Name", cell: (token) => token.name },
        showUser && { header: "User", cell: (token) => token.userEmail },
        { header: "Token", cell: (token) => <code>{token.prefix}…</code> },
        { header: "Created", cell: (token) => <DateTime value={token.createdAt} /> },
        { header: "Expires", cell: (token) => <DateTimeOrNever value={token.expiresAt} /> },
        { header: "Last used", cell: (token) => <DateTimeOrNever value={token.lastUsedAt} /> },
        {
          header: "Status",
          cell: (token) =>
            token.revokedAt ? (
              <span className="badge bad">
                revoked <DateTime value={token.revokedAt} />
              </span>
            ) : token.expired ? (
              <span className="badge bad">expired</span>
            ) : (
              <span className="badge ok">active</span>
            ),
        },
      ]}
    />
  );
}
