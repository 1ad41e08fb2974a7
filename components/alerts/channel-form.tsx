"use client";

import { useState } from "react";
import { ActionForm, type FormAction } from "@/components/forms/action-form";
import { Field, Options } from "@/components/forms/field";
import { ShownOnce } from "@/components/ui/shown-once";
import { GROUP_WINDOW_CHOICES, GROUP_WINDOW_LABELS } from "@/lib/alerts/channel-form";
import {
  ALERT_CHANNEL_KINDS,
  GROUPABLE_CHANNEL_KINDS,
  MAX_EMAIL_RECIPIENTS,
} from "@/lib/contract/alert-channels";

const URL_HINTS: Record<string, string> = {
  webhook:
    "Receives a JSON notice signed per Standard Webhooks with the secret shown after saving.",
  slack: "A Slack incoming-webhook URL.",
  teams: 'A Teams workflow URL ("Post to a channel when a webhook request is received").',
};

/** A credential the channel's requests carry: typed unseen, stored sealed, never shown again. */
function CredentialField({
  label,
  name,
  hint,
  ...constraints
}: {
  label: string;
  name: string;
  hint: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
}) {
  return (
    <Field
      label={label}
      id={`channel-${name}`}
      hint={`${hint} Stored sealed; never shown again.`}
      style={{ flex: "1 1 20rem" }}
    >
      {(description) => (
        <input
          name={name}
          type="password"
          required
          autoComplete="off"
          {...constraints}
          {...description}
        />
      )}
    </Field>
  );
}

/** Slack posts to an incoming webhook, or with a bot token, which threads an alert's notices. */
function SlackAddress() {
  const [mode, setMode] = useState<string>("webhook");
  return (
    <>
      <Field label="Slack posts with">
        <select name="slackMode" value={mode} onChange={(event) => setMode(event.target.value)}>
          <option value="webhook">an incoming webhook</option>
          <option value="bot">a bot token (resolved replies in the thread)</option>
        </select>
      </Field>
      {mode === "bot" ? (
        <>
          <CredentialField
            label="Bot token"
            name="botToken"
            hint="The Slack app's bot token (xoxb-…, with chat:write)."
            pattern="xoxb-[A-Za-z0-9\-]+"
          />
          <Field
            label="Slack channel id"
            id="channel-slack-channel"
            hint="Shown in the channel's details in Slack, like C0123456789; invite the app to it."
          >
            {(description) => (
              <input
                name="slackChannel"
                required
                pattern="[CGD][A-Z0-9]{2,30}"
                placeholder="C0123456789"
                {...description}
              />
            )}
          </Field>
        </>
      ) : (
        <Field label="URL" id="channel-url" hint={URL_HINTS.slack} style={{ flex: "1 1 20rem" }}>
          {(description) => (
            <input name="url" type="url" required maxLength={2000} {...description} />
          )}
        </Field>
      )}
    </>
  );
}

/**
 * When a channel is told: quiet hours (held until they end, critical may bypass them) and,
 * for channels that take a group, a window in which alerts starting together are one message.
 */
function DeliverySettings({ kind }: { kind: string }) {
  const [quiet, setQuiet] = useState(false);
  return (
    <>
      <fieldset style={{ flex: "1 1 100%" }}>
        <legend>Quiet hours</legend>
        <label className="check-field">
          <input
            type="checkbox"
            name="quiet"
            checked={quiet}
            onChange={(event) => setQuiet(event.target.checked)}
          />
          Hold notices during quiet hours
        </label>
        {quiet ? (
          <div style={{ display: "flex", flexWrap: "wrap", gap: "0.75rem" }}>
            <Field label="From">
              <input name="quietStart" type="time" required defaultValue="22:00" />
            </Field>
            <Field label="Until">
              <input name="quietEnd" type="time" required defaultValue="07:00" />
            </Field>
            <Field
              label="Time zone"
              id="channel-quiet-zone"
              hint="An IANA time zone, e.g. Europe/Berlin or America/New_York."
            >
              {(description) => (
                <input
                  name="quietTimeZone"
                  required
                  maxLength={100}
                  defaultValue="UTC"
                  autoComplete="off"
                  {...description}
                />
              )}
            </Field>
            <label className="check-field">
              <input type="checkbox" name="criticalBypass" />
              Critical alerts go out anyway
            </label>
          </div>
        ) : null}
      </fieldset>
      {GROUPABLE_CHANNEL_KINDS.includes(kind) ? (
        <Field
          label="Group window"
          id="channel-group-window"
          hint="Alerts that start within it go out as one message."
        >
          {(description) => (
            <select name="groupWindow" defaultValue="" {...description}>
              <option value="">none: one message per alert</option>
              {GROUP_WINDOW_CHOICES.map((choice) => (
                <option key={choice} value={choice}>
                  {GROUP_WINDOW_LABELS[choice]}
                </option>
              ))}
            </select>
          )}
        </Field>
      ) : (
        // PagerDuty: one event per alert, by the alert's dedup key; PagerDuty groups incidents.
        <p className="muted" style={{ flex: "1 1 100%", margin: 0 }}>
          No group window: PagerDuty gets one event per alert, triggered and resolved by the
          alert&rsquo;s own key, and groups incidents by its own rules.
        </p>
      )}
    </>
  );
}

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
          <CredentialField
            label="Integration key"
            name="routingKey"
            hint="The service's Events API v2 integration key (32 characters)."
            minLength={32}
            maxLength={32}
          />
          <Field label="Events URL" style={{ flex: "1 1 20rem" }}>
            <input
              name="eventsUrl"
              type="url"
              maxLength={2000}
              placeholder="https://events.pagerduty.com/v2/enqueue"
            />
          </Field>
        </>
      ) : kind === "slack" ? (
        <SlackAddress />
      ) : (
        <Field label="URL" id="channel-url" hint={URL_HINTS[kind]} style={{ flex: "1 1 20rem" }}>
          {(description) => (
            <input name="url" type="url" required maxLength={2000} {...description} />
          )}
        </Field>
      )}
      <DeliverySettings kind={kind} />
    </ActionForm>
  );
}
