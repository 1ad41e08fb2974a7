"use client";

import { useFormStatus } from "react-dom";

/**
 * The submit button of a form with a server action: disabled, and saying so, while the action
 * runs (the form's status, so the form need not pass its pending state down).
 */
export function SubmitButton({
  label,
  pendingLabel,
  primary = true,
}: {
  label: string;
  pendingLabel: string;
  primary?: boolean;
}) {
  const { pending } = useFormStatus();
  return (
    <button className={primary ? "primary" : undefined} type="submit" disabled={pending}>
      {pending ? pendingLabel : label}
    </button>
  );
}
