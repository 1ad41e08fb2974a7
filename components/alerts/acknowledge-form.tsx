"use client";

import { useId } from "react";
import { ActionForm, type FormAction } from "@/components/forms/action-form";
import { Field } from "@/components/forms/field";

/** Acknowledges one firing alert with a comment saying what is being done about it. */
export function AcknowledgeForm({
  alertId,
  alertName,
  acknowledge,
}: {
  alertId: string;
  alertName: string;
  acknowledge: FormAction<undefined>;
}) {
  const id = useId();
  return (
    <ActionForm
      action={acknowledge}
      submit="Acknowledge"
      pendingLabel="Acknowledging…"
      primary={false}
      ariaLabel={`Acknowledge ${alertName}`}
    >
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
    </ActionForm>
  );
}
