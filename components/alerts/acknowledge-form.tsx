"use client";

import { useActionState, useId } from "react";
import { Field } from "@/components/forms/field";
import { FormStatus } from "@/components/forms/form-status";
import { SubmitButton } from "@/components/forms/submit-button";
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
  const [state, action] = useActionState(acknowledge, null);
  const id = useId();
  return (
    <form action={action} className="form-row" aria-label={`Acknowledge ${alertName}`}>
      <input type="hidden" name="id" value={alertId} />
      <Field label="Comment" htmlFor={`${id}-comment`} style={{ flex: "1 1 14rem" }}>
        <input
          id={`${id}-comment`}
          name="comment"
          required
          maxLength={2000}
          placeholder="What are you doing about it?"
        />
      </Field>
      <SubmitButton label="Acknowledge" pendingLabel="Acknowledging…" primary={false} />
      <FormStatus state={state} />
    </form>
  );
}
