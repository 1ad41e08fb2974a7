"use client";

import { useState, useTransition } from "react";
import type { ActionResult } from "@/lib/http/action-result";

/**
 * A button that runs one server action on one row (deactivate an endpoint, re-send a command,
 * revoke a key), with its error beside it.
 */
export function RowActionButton({
  id,
  label,
  pendingLabel,
  ariaLabel,
  confirm,
  danger,
  action,
}: {
  id: string;
  label: string;
  pendingLabel: string;
  /** The button's name when its label alone would not say which row (e.g. "Revoke key X"). */
  ariaLabel?: string;
  /** Asked before acting, when the action is hard to undo. */
  confirm?: string;
  danger?: boolean;
  action: (form: FormData) => Promise<ActionResult>;
}) {
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <button
        type="button"
        className={danger ? "danger" : undefined}
        disabled={pending}
        aria-label={ariaLabel}
        onClick={() => {
          if (confirm && !window.confirm(confirm)) return;
          const form = new FormData();
          form.set("id", id);
          startTransition(async () => {
            const result = await action(form);
            setError(result.ok ? null : result.error);
          });
        }}
      >
        {pending ? pendingLabel : label}
      </button>
      {error ? (
        <span role="alert" className="badge bad">
          {error}
        </span>
      ) : null}
    </>
  );
}
