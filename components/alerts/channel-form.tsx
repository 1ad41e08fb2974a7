"use client";

import { useActionState, useId, useState } from "react";
import { ShownOnce } from "@/components/ui/shown-once";
import { ALERT_CHANNEL_KINDS, MAX_EMAIL_RECIPIENTS } from "@/lib/contract/alerts";
import type { ActionResult } from "@/lib/http/action-result";

type Created = { name: string; secret: string | null };

/**
 * Adds a channel; a webhook channel's signing secret is shown once, right after creation. An
 * e-mail channel names recipients instead of a URL: the SMTP server is the install's.
 */
export function ChannelForm({
  create,
}: {
  create: (
    previous: ActionResult<Created> | null,
    form: FormData,
  ) => Promise<ActionResult<Created>>;
}) {
  const [state, action, pending] = useActionState(create, null);
  const [kind, setKind] = useState<string>("webhook");
  const errorId = useId();
  const recipientsHelpId = useId();
  const failed = state !== null && !state.ok;
  return (
    <form action={action} className="form-row">
      <label className="field">
        Kind
        <select name="kind" value={kind} onChange={(event) => setKind(event.target.value)}>
          {ALERT_CHANNEL_KINDS.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        Name
        <input name="name" required maxLength={100} placeholder="On-call bridge" />
      </label>
      {kind === "email" ? (
        <label className="field" style={{ flex: "1 1 20rem" }}>
          Recipients
          <input
            name="to"
            type="text"
            required
            autoComplete="off"
            placeholder="finance-oncall@example.com, controller@example.com"
            aria-invalid={failed || undefined}
            aria-describedby={failed ? `${recipientsHelpId} ${errorId}` : recipientsHelpId}
          />
        </label>
      ) : (
        <label className="field" style={{ flex: "1 1 20rem" }}>
          URL
          <input name="url" type="url" required maxLength={2000} />
        </label>
      )}
      {kind === "email" ? (
        <p id={recipientsHelpId} className="muted" style={{ flexBasis: "100%", margin: 0 }}>
          Up to {MAX_EMAIL_RECIPIENTS} addresses, separated by commas. Mail goes through the SMTP
          server set in SMTP_URL.
        </p>
      ) : null}
      <button className="primary" type="submit" disabled={pending}>
        {pending ? "Adding…" : "Add channel"}
      </button>
      {state && !state.ok ? (
        <p id={errorId} className="alert error" role="alert" style={{ flexBasis: "100%" }}>
          {state.error}
        </p>
      ) : null}
      {state?.ok ? (
        <ShownOnce secret={state.data.secret}>
          Channel <strong>{state.data.name}</strong> added.
          {state.data.secret
            ? " Give the receiver this signing secret now; it will not be shown again."
            : null}
        </ShownOnce>
      ) : null}
    </form>
  );
}
