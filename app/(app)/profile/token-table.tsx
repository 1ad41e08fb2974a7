import { DateTime } from "@/components/ui/date-time";
import { TableRegion } from "@/components/table/table-region";
import type { PersonalTokenSummary } from "@/lib/auth/api-keys";
import { RowActionButton } from "@/components/ui/row-action-button";
import { revokeTokenAction } from "./token-actions";

/** Personal tokens, on the profile (one's own) and on the admin's keys page (everyone's). */
export function TokenTable({
  tokens,
  showUser,
}: {
  tokens: PersonalTokenSummary[];
  showUser: boolean;
}) {
  return (
    <TableRegion label="Personal tokens">
      <table className="data stack">
        <thead>
          <tr>
            <th scope="col">Name</th>
            {showUser ? <th scope="col">User</th> : null}
            <th scope="col">Token</th>
            <th scope="col">Created</th>
            <th scope="col">Expires</th>
            <th scope="col">Last used</th>
            <th scope="col">Status</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {tokens.map((token) => {
            const expired = token.expired;
            return (
              <tr key={token.id}>
                <td data-label="Name">{token.name}</td>
                {showUser ? <td data-label="User">{token.userEmail}</td> : null}
                <td data-label="Token">
                  <code>{token.prefix}…</code>
                </td>
                <td data-label="Created">
                  <DateTime value={token.createdAt} />
                </td>
                <td data-label="Expires">
                  {token.expiresAt ? (
                    <DateTime value={token.expiresAt} />
                  ) : (
                    <span className="muted">never</span>
                  )}
                </td>
                <td data-label="Last used">
                  {token.lastUsedAt ? (
                    <DateTime value={token.lastUsedAt} />
                  ) : (
                    <span className="muted">never</span>
                  )}
                </td>
                <td data-label="Status">
                  {token.revokedAt ? (
                    <span className="badge bad">
                      revoked <DateTime value={token.revokedAt} />
                    </span>
                  ) : expired ? (
                    <span className="badge bad">expired</span>
                  ) : (
                    <span className="badge ok">active</span>
                  )}
                </td>
                <td>
                  {token.revokedAt || expired ? null : (
                    <RowActionButton
                      id={token.id}
                      label="Revoke"
                      pendingLabel="Revoking…"
                      ariaLabel={`Revoke token ${token.name}`}
                      danger
                      confirm={`Revoke the token "${token.name}"? Scripts using it will get 401 at once.`}
                      action={revokeTokenAction}
                    />
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableRegion>
  );
}
