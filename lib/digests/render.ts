import type { ClaimedCommand } from "@/db/queries/outbox";
import {
  escapeHtml,
  htmlDocument,
  htmlLink,
  mailOutboxMessage,
  oneLine,
  type AlertEmail,
  type EmailDeliverySettings,
} from "@/lib/alerts/email";
import {
  adaptiveCardMessage,
  signedJson,
  utcMinute,
  type OutgoingRequest,
} from "@/lib/alerts/render";
import { DigestPayload, type DigestMessage } from "@/lib/contract/digests";
import type { AttemptResult } from "@/lib/outbox/smtp";

/*
 * How a digest looks per channel kind. Its words are made once (the sections below) and
 * every kind is built from them, so e-mail, Slack and Teams say the same thing; a webhook
 * gets the digest as data, `{"type":"digest","digest":{…}}`, signed like an alert notice.
 */

interface Line {
  text: string;
  href?: string;
}

interface Section {
  heading: string;
  lines: Line[];
  /** Said when there are no lines: nothing to report, or a section the owner may not read. */
  empty: string;
}

const NOT_PERMITTED = "Not included: your role does not read this.";

const VERDICT = { go: "GO", no_go: "NO-GO" } as const;

/** `Closeline weekly digest, 2026-12-07 (ACME-US)`: the local date it was due. */
export function digestTitle(digest: DigestPayload): string {
  const where = digest.entity ? ` (${digest.entity})` : "";
  return oneLine(`Closeline ${digest.cadence} digest, ${digest.periodKey}${where}`);
}

export function digestSections(digest: DigestPayload): Section[] {
  const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;
  return [
    {
      heading: digest.close ? `Close readiness, ${digest.close.period.label}` : "Close readiness",
      lines: (digest.close?.entities ?? []).map((row) => ({
        text: `${row.entity}: ${VERDICT[row.verdict]}${row.verdict === "no_go" ? `, ${plural(row.blockerCount, "blocker")}` : ""}`,
        href: row.url,
      })),
      empty: digest.close ? "No entities yet." : NOT_PERMITTED,
    },
    {
      heading: "Headline KPIs against their targets",
      lines: (digest.kpis ?? []).map((kpi) => ({
        text: `${kpi.title}: ${kpi.display} (${kpi.status.replace("_", " ")}; ${kpi.target})${kpi.change ? `, ${kpi.change} on the window before` : ""}`,
      })),
      empty: digest.kpis ? "Nothing measured in this window." : NOT_PERMITTED,
    },
    {
      heading: digest.alerts ? `Alerts firing: ${digest.alerts.length}` : "Alerts firing",
      lines: (digest.alerts ?? []).map((alert) => ({
        text: `[${alert.severity}] ${alert.ruleName}${alert.dimension ? ` (${alert.dimension})` : ""}, since ${utcMinute(alert.startedAt) ?? "—"}${alert.acknowledged ? ", acknowledged" : ""}`,
        href: alert.url,
      })),
      empty: digest.alerts ? "None." : NOT_PERMITTED,
    },
    {
      heading: "Largest open exceptions by amount",
      lines: (digest.exceptions ?? []).map((x) => ({
        text: `${x.amount}: ${x.title}${x.entity ? ` (${x.entity})` : ""}`,
        href: x.url,
      })),
      empty: digest.exceptions ? "No open exceptions with an amount." : NOT_PERMITTED,
    },
  ];
}

const OPEN_LINK = (digest: DigestPayload) => ({ href: digest.url, text: "Open the overview" });

export function digestEmail(digest: DigestPayload): AlertEmail {
  const subject = digestTitle(digest);
  const sections = digestSections(digest);
  const window = `${utcMinute(digest.window.from)} to ${utcMinute(digest.window.to)}`;
  const text = [
    subject,
    `KPIs over ${window}.`,
    "",
    ...sections.flatMap((s) => [
      s.heading,
      ...(s.lines.length === 0
        ? [`  ${s.empty}`]
        : s.lines.map((l) => `  - ${l.text}${l.href ? ` <${l.href}>` : ""}`)),
      "",
    ]),
    `${OPEN_LINK(digest).text}: ${digest.url}`,
    "",
  ].join("\n");
  const html = htmlDocument(subject, [
    `<p>KPIs over ${escapeHtml(window)}.</p>`,
    ...sections.map(
      (s) =>
        `<h2 style="font-size:15px">${escapeHtml(s.heading)}</h2>\n` +
        (s.lines.length === 0
          ? `<p>${escapeHtml(s.empty)}</p>`
          : `<ul>\n${s.lines.map((l) => `<li>${l.href ? htmlLink({ href: l.href, text: l.text }) : escapeHtml(l.text)}</li>`).join("\n")}\n</ul>`),
    ),
    `<p>${htmlLink(OPEN_LINK(digest))}</p>`,
  ]);
  return { subject, text, html };
}

/** Slack's mrkdwn treats these as markup; a rule name must not become a link or bold. */
const slackEscape = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function slackDigest(digest: DigestPayload) {
  const title = digestTitle(digest);
  return {
    text: title,
    blocks: [
      { type: "header", text: { type: "plain_text", text: title.slice(0, 150) } },
      ...digestSections(digest).map((s) => ({
        type: "section",
        text: {
          type: "mrkdwn",
          text: [
            `*${slackEscape(s.heading)}*`,
            ...(s.lines.length === 0
              ? [slackEscape(s.empty)]
              : s.lines.map((l) =>
                  l.href ? `• <${l.href}|${slackEscape(l.text)}>` : `• ${slackEscape(l.text)}`,
                )),
          ]
            .join("\n")
            // A section's text stops at 3,000 characters.
            .slice(0, 3000),
        },
      })),
      {
        type: "context",
        elements: [{ type: "mrkdwn", text: `<${digest.url}|${OPEN_LINK(digest).text}>` }],
      },
    ],
  };
}

export function teamsDigest(digest: DigestPayload) {
  return adaptiveCardMessage(
    [
      {
        type: "TextBlock",
        text: digestTitle(digest),
        weight: "Bolder",
        size: "Medium",
        wrap: true,
      },
      ...digestSections(digest).flatMap((s) => [
        { type: "TextBlock", text: s.heading, weight: "Bolder", wrap: true, spacing: "Medium" },
        {
          type: "TextBlock",
          text:
            s.lines.length === 0
              ? s.empty
              : s.lines
                  .map((l) => (l.href ? `- [${l.text}](${l.href})` : `- ${l.text}`))
                  .join("\n"),
          wrap: true,
        },
      ]),
    ],
    [OPEN_LINK(digest)],
  );
}

/** A digest's Slack message, for a channel that posts with a bot token. */
export const slackDigestMessage = (command: Pick<ClaimedCommand, "payload">) =>
  slackDigest(DigestPayload.parse(command.payload));

/** The request a digest makes to its Slack, Teams or webhook channel. */
export function digestRequest(
  command: Pick<ClaimedCommand, "id" | "payload" | "url" | "secret" | "channelKind">,
): OutgoingRequest {
  const digest = DigestPayload.parse(command.payload);
  if (!command.url) throw new Error("the channel has no URL");
  const json = (message: unknown) => ({
    url: command.url!,
    body: JSON.stringify(message),
    headers: {},
  });
  switch (command.channelKind) {
    case "webhook": {
      const message: DigestMessage = { type: "digest", digest };
      return signedJson(command, message);
    }
    case "slack":
      return json(slackDigest(digest));
    case "teams":
      return json(teamsDigest(digest));
    default:
      throw new Error(`a ${command.channelKind} channel takes no digest`);
  }
}

/** A digest from the outbox to its owner's address, or to its e-mail channel's recipients. */
export async function mailDigest(
  command: Pick<ClaimedCommand, "id" | "payload" | "channelConfig">,
  settings: EmailDeliverySettings,
): Promise<AttemptResult> {
  return mailOutboxMessage(command, settings, DigestPayload, "a digest", (digest) => ({
    ...digestEmail(digest),
    messageId: `<${command.id}@closeline.digests>`,
    references: `<digest-${digest.id}@closeline.digests>`,
  }));
}
