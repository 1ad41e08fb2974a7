"use client";

import { useState } from "react";
import { ActionForm, type FormAction } from "@/components/forms/action-form";
import { Field, Options } from "@/components/forms/field";
import { ShownOnce } from "@/components/ui/shown-once";
import { ALERT_CHANNEL_KINDS, MAX_EMAIL_RECIPIENTS } from "@/lib/contract/alerts";

const URL_HINTS: Record<string, string> = {
  webhook:
    "Receives a JSON notice signed per Standard Webhooks with the secret shown after saving.",
  slack: "A Slack incoming-webhook URL.",
  teams: 'A Teams workflow URL ("Post to a channel when a webhook request is received").',
};

/**
 * Adds a channel; a webhook channel's signing secret is shown once, right after creation. An
 * e-mail channel names recipients instead of a URL: the SMTP server is the install's.
 */
export function ChannelForm({
  create,
}: {
  create: FormAction<{ name: string; secret: string | null }>;
}) {
  const [kind, setKind] = useState<string>("webhook");
  return (
    <ActionForm
      action={create}
      submit="Add channel"
      pendingLabel="Adding…"
      done={(created) => (
        <ShownOnce secret={created.secret}>
          Channel <strong>{created.name}</strong> added.
          {created.secret
            ? " Give the receiver this signing secret now; it will not be shown again."
            : null}
        </ShownOnce>
      )}
    >
      <Field label="Kind">
        <select name="kind" value={kind} onChange={(event) => setKind(event.target.value)}>
          <Options values={ALERT_CHANNEL_KINDS} />
        </select>
      </Field>
      <Field label="Name">
        <input name="name" required maxLength={100} placeholder="On-call bridge" />
      </Field>
      {kind === "email" ? (
        <Field
          label="Recipients"
          id="channel-recipients"
          hint={`Up to ${MAX_EMAIL_RECIPIENTS} addresses, separated by commas. Mail goes through the SMTP server set in SMTP_URL.`}
          style={{ flex: "1 1 20rem" }}
        >
          {(description) => (
            <input
              name="to"
              type="text"
              required
              autoComplete="off"
              placeholder="finance-oncall@example.com, controller@example.com"
              {...description}
            />
          )}
        </Field>
      ) : kind === "pagerduty" ? (
        <>
          <Field
            label="Integration key"
            id="channel-routing-key"
            hint="The service's Events API v2 integration key (32 characters). Stored sealed; never shown again."
            style={{ flex: "1 1 20rem" }}
          >
            {(description) => (
              <input
                name="routingKey"
                type="password"
                required
                autoComplete="off"
                minLength={32}
                maxLength={32}
                {...description}
              />
            )}
          </Field>
          <Field label="Events URL" style={{ flex: "1 1 20rem" }}>
            <input
              name="eventsUrl"
              type="url"
              maxLength={2000}
              placeholder="https://events.pagerduty.com/v2/enqueue"
            />
          </Field>
        </>
      ) : (
        <Field label="URL" id="channel-url" hint={URL_HINTS[kind]} style={{ flex: "1 1 20rem" }}>
          {(description) => (
            <input name="url" type="url" required maxLength={2000} {...description} />
          )}
        </Field>
      )}
    </ActionForm>
  );
}
