import type { ClaimedCommand } from "@/db/queries/outbox";
import { AlertGroupNotice, AlertNotice } from "@/lib/contract/alert-notices";
import type { AlertSeverity } from "@/lib/contract/alert-rules";
import { open } from "@/lib/secret-box";
import { webhookHeaders } from "@/lib/outbox/signature";
import { figureFormat } from "./figure";

/*
 * How an alert notice looks on the wire, per channel kind. The outbox stores the notice
 * (lib/contract/alert-notices.ts AlertNotice) as the command's payload; this turns it into the
 * request the channel's receiver expects. The words (the summary line, the facts) are made
 * once here and every channel's message is built from them, so Slack, Teams, PagerDuty and
 * e-mail (./email.ts) say the same thing.
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
  const json = (message: unknown): OutgoingRequest => ({
    url: command.url!,
    body: JSON.stringify(message),
    headers: {},
  });
  switch (command.channelKind) {
    case "webhook":
      return signedJson(command, notice);
    case "slack":
      return json(slackMessage(notice));
    case "teams":
      return json(teamsMessage(notice));
    case "pagerduty": {
      if (!command.secret) throw new Error("the PagerDuty channel has no routing key");
      return json(pagerDutyEvent(notice, open(command.secret, CHANNEL_SECRET_PURPOSE)));
    }
    default:
      throw new Error(`unknown alert channel kind ${command.channelKind}`);
  }
}

/**
 * A message to a webhook channel, signed (Standard Webhooks) with the channel's secret. The
 * command id is the webhook-id on every attempt: a receiver drops repeats by it.
 */
export function signedJson(
  command: Pick<ClaimedCommand, "id" | "url" | "secret">,
  message: unknown,
): OutgoingRequest {
  if (!command.url) throw new Error("the alert channel has no URL");
  if (!command.secret) throw new Error("the webhook channel has no signing secret");
  const body = JSON.stringify(message);
  const secret = open(command.secret, CHANNEL_SECRET_PURPOSE);
  return { url: command.url, body, headers: webhookHeaders(secret, command.id, body) };
}

const HEADLINE: Record<AlertNotice["type"], string> = {
  "alert.firing": "Firing",
  "alert.resolved": "Resolved",
  "alert.acknowledged": "Acknowledged",
};

/** The notice's state in a sentence's words: firing, resolved, acknowledged. */
export const noticeState = (notice: AlertNotice) => HEADLINE[notice.type].toLowerCase();

/**
 * A notice's value against its threshold, in the rule's unit (lib/alerts/figure.ts). A notice
 * queued before the words were carried has bare numbers, which stay as they are.
 */
function measured(a: AlertNotice["alert"]): { value: string; threshold: string | null } {
  const plain = figureFormat(null, "");
  return {
    value: a.valueText ?? plain(a.value),
    threshold: a.threshold === null ? null : (a.thresholdText ?? plain(a.threshold)),
  };
}

/** One line a person reads first: what, where, how bad. */
export function noticeSummary(notice: AlertNotice): string {
  const a = notice.alert;
  const where = a.entity ? ` (${a.entity})` : "";
  const { value, threshold } = measured(a);
  const figures = threshold === null ? "" : `: ${value} against a threshold of ${threshold}`;
  return `${HEADLINE[notice.type]} [${a.severity}] ${a.ruleName}${where}${figures}`;
}

/** `2026-12-06 16:49 UTC`: a message is read anywhere, so the time says its zone. */
export function utcMinute(iso: string | null): string | null {
  if (!iso) return null;
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  return `${at.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** The facts of a notice, label and value, in the order a person reads them. */
export function noticeFacts(notice: AlertNotice): [string, string][] {
  const a = notice.alert;
  const rows: [string, string][] = [
    ["Rule", a.ruleName],
    ["State", noticeState(notice)],
    ["Severity", a.severity],
    ["Entity", a.entity ?? "whole company"],
  ];
  const { value, threshold } = measured(a);
  if (threshold !== null) rows.push(["Value", `${value} against a threshold of ${threshold}`]);
  else if (a.value !== null) rows.push(["Value", value]);
  const started = utcMinute(a.startedAt);
  if (started) rows.push(["Started", started]);
  const resolved = utcMinute(a.resolvedAt);
  if (resolved) rows.push(["Resolved", resolved]);
  if (a.acknowledged) {
    const by = a.acknowledged.by ?? "someone";
    rows.push([
      "Acknowledged",
      `by ${by} at ${utcMinute(a.acknowledged.at)}: ${a.acknowledged.comment}`,
    ]);
  }
  return rows;
}

const VIEW_LABEL = "Show the filtered view";

/** Where a notice points: the alert, then the page it is about when there is one. */
export function noticeLinks(notice: AlertNotice): { href: string; text: string }[] {
  const links = [{ href: notice.alert.url, text: "Open in Closeline" }];
  if (notice.alert.view) links.push({ href: notice.alert.view, text: VIEW_LABEL });
  return links;
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
            text: `Severity: ${a.severity} · Since ${a.startedAt ?? "—"} · <${a.url}|Open in Closeline>${a.view ? ` · <${a.view}|${VIEW_LABEL}>` : ""}`,
          },
        ],
      },
    ],
  };
}

const SEVERITY_RANK: Record<AlertSeverity, number> = { info: 0, warning: 1, critical: 2 };

/** The most severe of a group's alerts: what its headline (or subject) leads with. */
export function worstSeverity(alerts: readonly { severity: AlertSeverity }[]): AlertSeverity {
  return alerts.reduce<AlertSeverity>(
    (top, a) => (SEVERITY_RANK[a.severity] > SEVERITY_RANK[top] ? a.severity : top),
    "info",
  );
}

/** Adaptive Card colours: red while critical fires, amber for the rest, green once mended. */
function teamsColour(notice: AlertNotice): "attention" | "warning" | "good" | "default" {
  if (notice.type === "alert.resolved") return "good";
  if (notice.type === "alert.acknowledged") return "default";
  return notice.alert.severity === "critical" ? "attention" : "warning";
}

/**
 * A Microsoft Teams workflow-webhook message ("Post to a channel when a webhook request is
 * received"): one Adaptive Card with the summary, the facts and a button to the alert.
 * Version 1.4 is the newest every Teams client renders.
 */
export function teamsMessage(notice: AlertNotice) {
  return adaptiveCardMessage(
    [
      {
        type: "TextBlock",
        text: noticeSummary(notice),
        weight: "Bolder",
        size: "Medium",
        color: teamsColour(notice),
        wrap: true,
      },
      {
        type: "FactSet",
        facts: noticeFacts(notice).map(([title, value]) => ({ title, value })),
      },
    ],
    noticeLinks(notice),
  );
}

/** An Adaptive Card as a Teams workflow webhook takes it: the card's body and its link buttons. */
export function adaptiveCardMessage(
  body: Record<string, unknown>[],
  links: { href: string; text: string }[],
) {
  return {
    type: "message",
    attachments: [
      {
        contentType: "application/vnd.microsoft.card.adaptive",
        contentUrl: null,
        content: {
          $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
          type: "AdaptiveCard",
          version: "1.4",
          msteams: { width: "Full" },
          body,
          actions: links.map(({ text, href }) => ({
            type: "Action.OpenUrl",
            title: text,
            url: href,
          })),
        },
      },
    ],
  };
}

/** Where PagerDuty takes events unless a channel says otherwise (EU accounts use events.eu.pagerduty.com). */
export const PAGERDUTY_EVENTS_URL = "https://events.pagerduty.com/v2/enqueue";

const PAGERDUTY_ACTION: Record<AlertNotice["type"], "trigger" | "resolve" | "acknowledge"> = {
  "alert.firing": "trigger",
  "alert.resolved": "resolve",
  "alert.acknowledged": "acknowledge",
};

/** PagerDuty's severities are critical, error, warning and info; ours map onto three of them. */
export const PAGERDUTY_SEVERITY: Record<AlertSeverity, "critical" | "error" | "warning" | "info"> =
  {
    critical: "critical",
    warning: "warning",
    info: "info",
  };

/** PagerDuty refuses a summary longer than this. */
const PAGERDUTY_SUMMARY_MAX = 1024;

/**
 * A PagerDuty Events API v2 event. The alert's id is the `dedup_key`, so firing opens one
 * incident, acknowledging acknowledges that incident and resolving resolves it, however
 * often a notice is retried. Only a trigger carries a payload: PagerDuty ignores it on the others.
 */
export function pagerDutyEvent(notice: AlertNotice, routingKey: string) {
  const a = notice.alert;
  const event = {
    routing_key: routingKey,
    event_action: PAGERDUTY_ACTION[notice.type],
    dedup_key: a.id,
  };
  if (notice.type !== "alert.firing") return event;
  return {
    ...event,
    payload: {
      summary: noticeSummary(notice).slice(0, PAGERDUTY_SUMMARY_MAX),
      source: hostOf(a.url),
      severity: PAGERDUTY_SEVERITY[a.severity],
      timestamp: a.startedAt ?? undefined,
      component: a.entity ?? "whole company",
      group: a.ruleName,
      class: "closeline.alert",
      custom_details: Object.fromEntries(noticeFacts(notice)),
    },
    client: "Closeline",
    client_url: a.url,
    links: noticeLinks(notice),
  };
}

/** The Closeline install a notice comes from, by its host name: PagerDuty's `source`. */
function hostOf(url: string): string {
  try {
    return new URL(url).host || "closeline";
  } catch {
    return "closeline";
  }
}

/**
 * Alerts that started within a channel's group window, as one message: the webhook gets the
 * group as it is stored (`{"type":"alert.group","alerts":[…]}`, signed like any notice), Slack
 * one message with a line per alert, Teams one Adaptive Card with a section per alert.
 * PagerDuty never gets a group: each alert is its own incident there (GROUPABLE_CHANNEL_KINDS).
 */
function groupRequest(
  command: Pick<ClaimedCommand, "id" | "url" | "secret" | "channelKind">,
  group: AlertGroupNotice,
): OutgoingRequest {
  if (!command.url) throw new Error("the alert channel has no URL");
  switch (command.channelKind) {
    case "webhook":
      return signedJson(command, group);
    case "slack":
      return { url: command.url, body: JSON.stringify(slackGroupMessage(group)), headers: {} };
    case "teams":
      return { url: command.url, body: JSON.stringify(teamsGroupMessage(group)), headers: {} };
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

/** The Alerts page an alert's link points into (its address without the alert's anchor). */
function alertsPageOf(alertUrl: string): string {
  const hash = alertUrl.indexOf("#");
  return hash === -1 ? alertUrl : alertUrl.slice(0, hash);
}

/**
 * Several alerts as one Teams Adaptive Card: a headline with the count, coloured by the worst
 * severity, then a section per alert (its summary, its facts and its own links), each set off
 * by a separator; the card's button opens the Alerts page.
 */
export function teamsGroupMessage(group: AlertGroupNotice) {
  const worst = worstSeverity(group.alerts);
  const sections = group.alerts.map((alert) => {
    const notice: AlertNotice = { type: "alert.firing", alert };
    return {
      type: "Container",
      separator: true,
      spacing: "Medium",
      items: [
        {
          type: "TextBlock",
          text: noticeSummary(notice),
          weight: "Bolder",
          color: teamsColour(notice),
          wrap: true,
        },
        {
          type: "FactSet",
          facts: noticeFacts(notice).map(([title, value]) => ({ title, value })),
        },
        {
          type: "ActionSet",
          actions: noticeLinks(notice).map(({ text, href }) => ({
            type: "Action.OpenUrl",
            title: text,
            url: href,
          })),
        },
      ],
    };
  });
  return adaptiveCardMessage(
    [
      {
        type: "TextBlock",
        text: `[${worst}] ${group.alerts.length} alerts firing`,
        weight: "Bolder",
        size: "Medium",
        color: worst === "critical" ? "attention" : "warning",
        wrap: true,
      },
      ...sections,
    ],
    [{ href: alertsPageOf(group.alerts[0]!.url), text: "Open the Alerts page" }],
  );
}
