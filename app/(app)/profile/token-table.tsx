import type { ReactNode } from "react";
import { credentialColumns, RevokeButton } from "@/components/admin/credentials";
import { DataTable } from "@/components/table/data-table";
import { DateTimeOrNever } from "@/components/ui/date-time";
import type { PersonalTokenSummary } from "@/lib/auth/api-keys";
import { revokeTokenAction } from "./token-actions";

const token = credentialColumns<PersonalTokenSummary>("Token");

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
      rows={tokens}
      empty={empty}
      columns={[
        token.name,
        showUser && { header: "User", cell: (t) => t.userEmail },
        token.prefix,
        token.created,
        { header: "Expires", cell: (t) => <DateTimeOrNever value={t.expiresAt} /> },
        token.lastUsed,
        token.status,
      ]}
      rowActions={(t) =>
        t.revokedAt || t.expired ? null : (
          <RevokeButton
            credential={t}
            noun="token"
            consequence="Scripts using it"
            action={revokeTokenAction}
          />
        )
      }
    />
  );
}
