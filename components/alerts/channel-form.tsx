"use client";

import { useActionState } from "react";
import { ShownOnce } from "@/components/ui/shown-once";
import { ALERT_CHANNEL_KINDS } from "@/lib/contract/alerts";
import type { ActionResult } from "@/lib/http/action-result";

type Created = { name: string; secret: string | null };

/** Adds a channel; a webhook channel's signing secret is shown once, right after creation. */
export function ChannelForm({
  create,
}: {
  create: (
    previous: ActionResult<Created> | null,
    form: FormData,
  ) => Promise<ActionResult<Created>>;
}) {
  const [state, action, pending] = useActionState(create, null);
  return (
    <form action={action} className="form-row">
      <label className="field">
        Kind
        <select name="kind" defaultValue="webhook">
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
      <label className="field" style={{ flex: "1 1 20rem" }}>
        URL
        <input name="url" type="url" required maxLength={2000} />
      </label>
      <button className="primary" type="submit" disabled={pending}>
        {pending ? "Adding…" : "Add channel"}
      </button>
      {state && !state.ok ? (
        <p className="alert error" role="alert" style={{ flexBasis: "100%" }}>
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
