import type { ClaimedCommand } from "@/db/queries/outbox";
import { AlertGroupNotice, AlertNotice } from "@/lib/contract/alerts";
import { open } from "@/lib/secret-box";
import { webhookHeaders } from "@/lib/outbox/signature";

/*
 * How an alert notice looks on the wire, per channel kind. The outbox stores the notice
 * (lib/contract/alerts.ts AlertNotice) as the command's payload; this turns it into the
 * request the channel's receiver expects.
 */

/** What a sealed alert-channel secret is bound to (lib/secret-box.ts). */
export const CHANNEL_SECRET_PURPOSE = "alert_channels.secret";

export interface OutgoingRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
}

export function alertRequest(
  command: Pick<ClaimedCommand, "id" | "payload" | "url" | "secret" | "channelKind">,
): OutgoingRequest {
  const group = AlertGroupNotice.safeParse(command.payload);
  if (group.success) return groupRequest(command, group.data);
  const notice = AlertNotice.parse(command.payload);
  if (!command.url) throw new Error("the alert channel has no URL");
  switch (command.channelKind) {
    case "webhook": {
      if (!command.secret) throw new Error("the webhook channel has no signing secret");
      const body = JSON.stringify(notice);
      const secret = open(command.secret, CHANNEL_SECRET_PURPOSE);
      // The command id is the webhook-id on every attempt: a receiver drops repeats by it.
      return { url: command.url, body, headers: webhookHeaders(secret, command.id, body) };
    }
    case "slack":
      return { url: command.url, body: JSON.stringify(slackMessage(notice)), headers: {} };
    default:
      throw new Error(`unknown alert channel kind ${command.channelKind}`);
  }
}

const HEADLINE: Record<AlertNotice["type"], string> = {
  "alert.firing": "Firing",
  "alert.resolved": "Resolved",
  "alert.acknowledged": "Acknowledged",
};

/** A measured figure as people read it: whole numbers as they are, others to four digits. */
export const formatFigure = (value: number | null) =>
  value === null ? "no data" : Number.isInteger(value) ? String(value) : value.toPrecision(4);

/** One line a person reads first: what, where, how bad. */
export function noticeSummary(notice: AlertNotice): string {
  const a = notice.alert;
  const where = a.entity ? ` (${a.entity})` : "";
  const measured =
    a.threshold === null
      ? ""
      : `: ${formatFigure(a.value)} against a threshold of ${formatFigure(a.threshold)}`;
  return `${HEADLINE[notice.type]} [${a.severity}] ${a.ruleName}${where}${measured}`;
}

/** A Slack incoming-webhook message: a text fallback and Block Kit blocks. */
export function slackMessage(notice: AlertNotice) {
  const a = notice.alert;
  const lines = [`*${noticeSummary(notice)}*`];
  if (notice.alert.acknowledged) {
    lines.push(`Acknowledged: ${notice.alert.acknowledged.comment}`);
  }
  return {
    text: noticeSummary(notice),
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: lines.join("\n") } },
      {
        type: "context",
        elements: [
          {
            type: "mrkdwn",
            text: `Severity: ${a.severity} · Since ${a.startedAt ?? "—"} · <${a.url}|Open in Closeline>`,
          },
        ],
      },
    ],
  };
}

/**
 * Alerts that started within a channel's group window, as one message: the webhook gets the
 * group as it is stored (`{"type":"alert.group","alerts":[…]}`, signed like any notice), Slack
 * one message with a line per alert.
 */
function groupRequest(
  command: Pick<ClaimedCommand, "id" | "url" | "secret" | "channelKind">,
  group: AlertGroupNotice,
): OutgoingRequest {
  if (!command.url) throw new Error("the alert channel has no URL");
  switch (command.channelKind) {
    case "webhook": {
      if (!command.secret) throw new Error("the webhook channel has no signing secret");
      const body = JSON.stringify(group);
      const secret = open(command.secret, CHANNEL_SECRET_PURPOSE);
      return { url: command.url, body, headers: webhookHeaders(secret, command.id, body) };
    }
    case "slack":
      return { url: command.url, body: JSON.stringify(slackGroupMessage(group)), headers: {} };
    default:
      throw new Error(`a ${command.channelKind} channel takes no group of alerts`);
  }
}

export function slackGroupMessage(group: AlertGroupNotice) {
  const lines = group.alerts.map((alert) => {
    const summary = noticeSummary({ type: "alert.firing", alert });
    return `• <${alert.url}|${summary}>`;
  });
  const text = `${group.alerts.length} alerts firing`;
  return {
    text,
    blocks: [{ type: "section", text: { type: "mrkdwn", text: `*${text}*\n${lines.join("\n")}` } }],
  };
}
