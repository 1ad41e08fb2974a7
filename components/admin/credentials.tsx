import type { Column } from "@/components/table/data-table";
import { DateTime, DateTimeOrNever } from "@/components/ui/date-time";
import { RowActionButton } from "@/components/ui/row-action-button";
import type { ActionResult } from "@/lib/http/action-result";

/** What API keys and personal tokens have alike: Closeline keeps a prefix and a hash. */
interface Credential {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** The columns a table of keys or of tokens shares, to place among its own. */
export function credentialColumns<C extends Credential>(noun: "Key" | "Token") {
  return {
    name: { header: "Name", cell: (c) => c.name },
    prefix: { header: noun, cell: (c) => <code>{c.prefix}…</code> },
    created: { header: "Created", cell: (c) => <DateTime value={c.createdAt} /> },
    lastUsed: { header: "Last used", cell: (c) => <DateTimeOrNever value={c.lastUsedAt} /> },
    status: {
      header: "Status",
      cell: (c) =>
        c.revokedAt ? (
          <span className="badge bad">
            revoked <DateTime value={c.revokedAt} />
          </span>
        ) : "expired" in c && c.expired ? (
          <span className="badge bad">expired</span>
        ) : (
          <span className="badge ok">active</span>
        ),
    },
  } satisfies Record<string, Column<C>>;
}

/** Revokes one key or token, after saying what stops working. */
export function RevokeButton({
  credential,
  noun,
  consequence,
  action,
}: {
  credential: Credential;
  noun: "key" | "token";
  /** Who gets 401 from now on. */
  consequence: string;
  action: (form: FormData) => Promise<ActionResult>;
}) {
  return (
    <RowActionButton
      id={credential.id}
      label="Revoke"
      pendingLabel="Revoking…"
      ariaLabel={`Revoke ${noun} ${credential.name}`}
      danger
      confirm={`Revoke the ${noun} "${credential.name}"? ${consequence} will get 401 at once.`}
      action={action}
    />
  );
}
