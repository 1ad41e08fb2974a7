import { z } from "zod";
import type { ClaimedCommand } from "@/db/queries/outbox";
import { AlertGroupNotice, AlertNotice } from "@/lib/contract/alert-notices";
import { env } from "@/lib/env";
import { InvalidInput } from "@/lib/errors";
import { sendOverSmtp, type AttemptResult, type MailMessage } from "@/lib/outbox/smtp";
import { noticeFacts, noticeLinks, noticeState, noticeSummary, worstSeverity } from "./render";

/*
 * Alert notices as e-mail. The SMTP server belongs to the install (SMTP_URL, sender
 * ALERT_EMAIL_FROM), not to a channel: a channel only names its recipients. Every piece of
 * the notice comes from data people typed (rule names, entities, comments), so the HTML part
 * escapes all of it.
 */

/**
 * Refuses an e-mail channel (or digest) on an install that cannot send mail, naming the
 * setting to fix.
 */
export function requireSmtpServer(
  smtpUrl: string | undefined,
  what: { one: string; many: string } = { one: "alert channel", many: "e-mail channels" },
): void {
  if (!smtpUrl) {
    throw new InvalidInput(
      `Invalid ${what.one}: ${what.many} need an SMTP server; set SMTP_URL (and ALERT_EMAIL_FROM) in the environment`,
      ["SMTP_URL: not set"],
    );
  }
}

/** A header holds one line: a line break in a rule name must not start a new header. */
export const oneLine = (text: string) => text.replace(/[\r\n\t]+/g, " ").trim();

/** `[CRITICAL] First pass below 90 % — firing (ACME-US)` */
export function alertEmailSubject(notice: AlertNotice): string {
  const a = notice.alert;
  const where = a.entity ? ` (${a.entity})` : "";
  return oneLine(`[${a.severity.toUpperCase()}] ${a.ruleName} — ${noticeState(notice)}${where}`);
}

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

export interface AlertEmail {
  subject: string;
  text: string;
  html: string;
}

/** One notice's facts and links, as lines of text and as HTML. */
function noticeParts(notice: AlertNotice): { text: string[]; html: string[] } {
  const rows = noticeFacts(notice);
  const links = noticeLinks(notice);
  return {
    text: [
      ...rows.map(([label, value]) => `${label}: ${value}`),
      "",
      ...links.map((link) => `${link.text}: ${link.href}`),
    ],
    html: [factTable(rows), ...links.map((link) => `<p>${htmlLink(link)}</p>`)],
  };
}

/** A message with a subject, and sections each under an optional heading. */
function composeEmail(
  subject: string,
  sections: { heading: string | null; notice: AlertNotice }[],
): AlertEmail {
  const parts = sections.map(({ heading, notice }) => ({ heading, ...noticeParts(notice) }));
  const text = [
    subject,
    "",
    ...parts.flatMap((p) => [...(p.heading ? [p.heading, ""] : []), ...p.text, ""]),
  ].join("\n");
  const html = htmlDocument(
    subject,
    parts.flatMap((p) => [
      ...(p.heading ? [`<h2 style="font-size:16px">${escapeHtml(p.heading)}</h2>`] : []),
      ...p.html,
    ]),
  );
  return { subject, text, html };
}

/** The notice as a plain-text part and an HTML part saying the same. */
export function alertEmail(notice: AlertNotice): AlertEmail {
  return composeEmail(alertEmailSubject(notice), [{ heading: null, notice }]);
}

/**
 * Alerts that started firing within the channel's group window, as one message: the subject
 * carries the worst severity and the count, and each alert has a section of its own.
 */
export function alertGroupEmail(group: AlertGroupNotice): AlertEmail {
  const worst = worstSeverity(group.alerts);
  const subject = oneLine(`[${worst.toUpperCase()}] ${group.alerts.length} alerts firing`);
  return composeEmail(
    subject,
    group.alerts.map((alert) => {
      const notice: AlertNotice = { type: "alert.firing", alert };
      return { heading: noticeSummary(notice), notice };
    }),
  );
}

/** Label and value rows as an HTML table, every word escaped. */
export function factTable(rows: [string, string][]): string {
  const cells = rows
    .map(
      ([label, value]) =>
        `<tr><th align="left" style="padding:2px 12px 2px 0">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`,
    )
    .join("\n");
  return `<table>\n${cells}\n</table>`;
}

export const htmlLink = (link: { href: string; text: string }) =>
  `<a href="${escapeHtml(link.href)}">${escapeHtml(link.text)}</a>`;

/** A whole HTML message: the subject as its title and heading, then `parts` (already HTML). */
export function htmlDocument(subject: string, parts: string[]): string {
  return [
    "<!doctype html>",
    `<html><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
    '<body style="font-family:sans-serif">',
    `<h1 style="font-size:18px">${escapeHtml(subject)}</h1>`,
    ...parts,
    "</body></html>",
    "",
  ].join("\n");
}

export interface EmailDeliverySettings {
  /** Unset: the attempt fails and is retried, so mail queued before a misconfiguration still goes once it is fixed. */
  smtpUrl: string | undefined;
  from: string;
  timeoutMs: number;
}

export const DEFAULT_EMAIL_DELIVERY: Omit<EmailDeliverySettings, "timeoutMs"> = {
  smtpUrl: env.SMTP_URL,
  from: env.ALERT_EMAIL_FROM,
};

/** An alert notice, or a group of them, from the outbox to its e-mail channel's recipients. */
export async function mailAlertNotice(
  command: Pick<ClaimedCommand, "id" | "payload" | "channelConfig">,
  settings: EmailDeliverySettings,
): Promise<AttemptResult> {
  const notice = z.union([AlertGroupNotice, AlertNotice]);
  return mailOutboxMessage(command, settings, notice, "an alert notice", (payload) => {
    const group = "alerts" in payload ? payload : null;
    const alertIds = group ? group.alerts.map((a) => a.id) : [(payload as AlertNotice).alert.id];
    return {
      ...(group ? alertGroupEmail(group) : alertEmail(payload as AlertNotice)),
      messageId: `<${command.id}@closeline.alerts>`,
      // Every notice of an alert names it, so mail clients thread a group with its alerts' later notices.
      references: alertIds.map((id) => `<alert-${id}@closeline.alerts>`).join(" "),
    };
  });
}

/**
 * An outbox message to the recipients of its e-mail destination, composed from its payload
 * read as `schema`. No server is retried (mail queued before a misconfiguration goes once it
 * is fixed); no recipient, or a payload this version cannot read, is final.
 */
export async function mailOutboxMessage<S extends z.ZodType>(
  command: Pick<ClaimedCommand, "payload" | "channelConfig">,
  settings: EmailDeliverySettings,
  schema: S,
  what: string,
  compose: (payload: z.output<S>) => Omit<MailMessage, "from" | "to">,
): Promise<AttemptResult> {
  const failed = (error: string, verdict: AttemptResult["verdict"]): AttemptResult => ({
    outcome: { httpStatus: null, error, durationMs: 0 },
    verdict,
  });
  if (!settings.smtpUrl)
    return failed("SMTP_URL is not set: no server to send e-mail through", "retry");
  const to = command.channelConfig?.to ?? [];
  if (to.length === 0) return failed("the e-mail channel has no recipients", "permanent");
  const parsed = schema.safeParse(command.payload);
  if (!parsed.success) return failed(`the stored payload is not ${what}`, "permanent");
  return sendOverSmtp(
    { url: settings.smtpUrl, timeoutMs: settings.timeoutMs },
    { from: settings.from, to, ...compose(parsed.data) },
  );
}
