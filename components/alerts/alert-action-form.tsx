"use client";

import { useId, type ReactNode } from "react";
import { ActionForm, type FormAction } from "@/components/forms/action-form";
import { Field } from "@/components/forms/field";

/**
 * A form acting on one firing alert (acknowledge, silence): its own fields, then the comment
 * the action must carry, saying what is being done or why (at most 2,000 characters, as the
 * server takes it). `verb` is the button and, with the alert's name, the form's label; `fields`
 * are given the form's id to name their inputs by.
 */
export function AlertActionForm<T>({
  alertId,
  alertName,
  action,
  verb,
  pendingLabel,
  success,
  comment,
  fields,
}: {
  alertId: string;
  alertName: string;
  action: FormAction<T>;
  verb: string;
  pendingLabel: string;
  success?: (data: T) => ReactNode;
  comment: { label: string; placeholder: string; flex: string };
  fields?: (formId: string) => ReactNode;
}) {
  const id = useId();
  return (
    <ActionForm
      action={action}
      submit={verb}
      pendingLabel={pendingLabel}
      primary={false}
      ariaLabel={`${verb} ${alertName}`}
      success={success}
    >
      <input type="hidden" name="id" value={alertId} />
      {fields?.(id)}
      <Field label={comment.label} htmlFor={`${id}-comment`} style={{ flex: comment.flex }}>
        <input
          id={`${id}-comment`}
          name="comment"
          required
          maxLength={2000}
          placeholder={comment.placeholder}
        />
      </Field>
    </ActionForm>
  );
}
