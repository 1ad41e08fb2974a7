"use client";

import { useActionState, useId } from "react";
import type { ActionResult } from "@/lib/http/action-result";

/** Acknowledges one firing alert with a comment saying what is being done about it. */
export function AcknowledgeForm({
  alertId,
  alertName,
  acknowledge,
}: {
  alertId: string;
  alertName: string;
  acknowledge: (previous: ActionResult | null, form: FormData) => Promise<ActionResult>;
}) {
  const [state, action, pending] = useActionState(acknowledge, null);
  const id = useId();
  return (
    <form action={action} className="form-row" aria-label={`Acknowledge ${alertName}`}>
      <input type="hidden" name="id" value={alertId} />
      <label className="field" htmlFor={`${id}-comment`} style={{ flex: "1 1 14rem" }}>
        Comment
        <input
          id={`${id}-comment`}
          name="comment"
          required
          maxLength={2000}
          placeholder="What are you doing about it?"
        />
      </label>
      <button type="submit" disabled={pending}>
        {pending ? "Acknowledging…" : "Acknowledge"}
      </button>
      {state && !state.ok ? (
        <p className="alert error" role="alert" style={{ flexBasis: "100%" }}>
          {state.error}
        </p>
      ) : null}
    </form>
  );
}
