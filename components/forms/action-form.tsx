"use client";

import { useActionState, type ReactNode } from "react";
import type { ActionResult } from "@/lib/http/action-result";
import { FormHelp } from "./field";
import { FormFooter, FormStatus } from "./form-status";
import { SubmitButton } from "./submit-button";

/** A server action a form posts to: it gets its previous result, and the form's fields. */
export type FormAction<T> = (
  previous: ActionResult<T> | null,
  form: FormData,
) => Promise<ActionResult<T>>;

interface ActionFormProps<T> {
  action: FormAction<T>;
  /** What the form is for, under it; the form names it in aria-describedby. */
  help?: ReactNode;
  helpId?: string;
  children: ReactNode;
  submit: string;
  /** The button's label while the action runs; most forms save something. */
  pendingLabel?: string;
  primary?: boolean;
  /** What was done, as a status line. */
  success?: (data: T) => ReactNode;
  /** What was done, rendered as given (a secret shown once). */
  done?: (data: T) => ReactNode;
  table?: boolean;
  ariaLabel?: string;
  testId?: string;
}

/**
 * A form that posts to a server action (it works without JavaScript too): its fields, then the
 * submit button, what the form is for, and what the last submission did. `table`: the fields
 * are a table of inputs, with the button and the status in a row under it.
 */
export function ActionForm<T>(props: ActionFormProps<T>) {
  const [state, formAction] = useActionState(props.action, null);
  const { help, helpId } = props;
  const outcome = (
    <>
      <SubmitButton
        label={props.submit}
        pendingLabel={props.pendingLabel ?? "Saving…"}
        primary={props.primary}
      />
      {help && helpId ? <FormHelp id={helpId}>{help}</FormHelp> : null}
      <FormStatus state={state} success={props.success} done={props.done} />
    </>
  );
  return (
    <form
      action={formAction}
      className={props.table ? undefined : "form-row"}
      aria-describedby={help ? helpId : undefined}
      aria-label={props.ariaLabel}
      data-testid={props.testId}
    >
      {props.children}
      {props.table ? <FormFooter>{outcome}</FormFooter> : outcome}
    </form>
  );
}
