"use client";

import { useState, useTransition } from "react";
import type { ActionResult } from "@/lib/http/action-result";
import { PendingButton } from "./pending-button";

/** Runs a server action on one row with the given fields; `error` says why it failed. */
export function useRowAction(action: (form: FormData) => Promise<ActionResult>) {
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const run = (fields: Record<string, string>) => {
    const form = new FormData();
    for (const [key, value] of Object.entries(fields)) form.set(key, value);
    startTransition(async () => {
      const result = await action(form);
      setError(result.ok ? null : result.error);
    });
  };
  return { pending, error, run };
}

/** A row action's failure, beside the control that ran it. */
export function RowActionError({ error }: { error: string | null }) {
  return error ? (
    <span role="alert" className="badge bad">
      {error}
    </span>
  ) : null;
}

/**
 * A button that runs one server action on one row (deactivate an endpoint, re-send a command,
 * revoke a key), with its error beside it.
 */
export function RowActionButton({
  id,
  fields,
  label,
  pendingLabel,
  ariaLabel,
  confirm,
  danger,
  action,
}: {
  id: string;
  /** Sent with the row's id (e.g. the state to set). */
  fields?: Record<string, string>;
  label: string;
  pendingLabel: string;
  /** The button's name when its label alone would not say which row (e.g. "Revoke key X"). */
  ariaLabel?: string;
  /** Asked before acting, when the action is hard to undo. */
  confirm?: string;
  danger?: boolean;
  action: (form: FormData) => Promise<ActionResult>;
}) {
  const { pending, error, run } = useRowAction(action);
  return (
    <>
      <PendingButton
        className={danger ? "danger" : undefined}
        pending={pending}
        pendingLabel={pendingLabel}
        ariaLabel={ariaLabel}
        onClick={() => {
          if (confirm && !window.confirm(confirm)) return;
          run({ id, ...fields });
        }}
      >
        {label}
      </PendingButton>
      <RowActionError error={error} />
    </>
  );
}
