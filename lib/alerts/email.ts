import type { ClaimedCommand } from "@/db/queries/outbox";
import { AlertNotice } from "@/lib/contract/alerts";
import { env } from "@/lib/env";
import { InvalidInput } from "@/lib/errors";
import { sendOverSmtp, type AttemptResult } from "@/lib/outbox/smtp";
import { noticeFacts, noticeLinks, noticeState } from "./render";

/*
 * Alert notices as e-mail. The SMTP server belongs to the install (SMTP_URL, sender
 * ALERT_EMAIL_FROM), not to a channel: a channel only names its recipients. Every piece of
 * the notice comes from data people typed (rule names, entities, comments), so the HTML part
 * escapes all of it.
 */

/** Refuses an e-mail channel on an install that cannot send mail, naming the setting to fix. */
export function requireSmtpServer(smtpUrl: string | undefined): void {
  if (!smtpUrl) {
    throw new InvalidInput(
      "Invalid alert channel: e-mail channels need an SMTP server; set SMTP_URL (and ALERT_EMAIL_FROM) in the environment",
      ["SMTP_URL: not set"],
    );
  }
}

/** A header holds one line: a line break in a rule name must not start a new header. */
const oneLine = (text: string) => text.replace(/[\r\n\t]+/g, " ").trim();

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

/** The notice as a plain-text part and an HTML part saying the same. */
export function alertEmail(notice: AlertNotice): AlertEmail {
  const subject = alertEmailSubject(notice);
  const rows = noticeFacts(notice);
  const text = [
    subject,
    "",
    ...rows.map(([label, value]) => `${label}: ${value}`),
    "",
    ...noticeLinks(notice).map((link) => `${link.text}: ${link.href}`),
    "",
  ].join("\n");
  const cells = rows
    .map(
      ([label, value]) =>
        `<tr><th align="left" style="padding:2px 12px 2px 0">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`,
    )
    .join("\n");
  const html = [
    "<!doctype html>",
    `<html><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
    '<body style="font-family:sans-serif">',
    `<h1 style="font-size:18px">${escapeHtml(subject)}</h1>`,
    `<table>\n${cells}\n</table>`,
    ...noticeLinks(notice).map(
      (link) => `<p><a href="${escapeHtml(link.href)}">${escapeHtml(link.text)}</a></p>`,
    ),
    "</body></html>",
    "",
  ].join("\n");
  return { subject, text, html };
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

/** An alert notice from the outbox to its e-mail channel's recipients. */
export async function mailAlertNotice(
  command: Pick<ClaimedCommand, "id" | "payload" | "channelConfig">,
  settings: EmailDeliverySettings,
): Promise<AttemptResult> {
  const failed = (error: string, verdict: AttemptResult["verdict"]): AttemptResult => ({
    outcome: { httpStatus: null, error, durationMs: 0 },
    verdict,
  });
  if (!settings.smtpUrl)
    return failed("SMTP_URL is not set: no server to send e-mail through", "retry");
  const to = command.channelConfig?.to ?? [];
  if (to.length === 0) return failed("the e-mail channel has no recipients", "permanent");
  const parsed = AlertNotice.safeParse(command.payload);
  if (!parsed.success) return failed("the stored notice is not an alert notice", "permanent");
  const notice = parsed.data;
  return sendOverSmtp(
    { url: settings.smtpUrl, timeoutMs: settings.timeoutMs },
    {
      from: settings.from,
      to,
      ...alertEmail(notice),
      messageId: `<${command.id}@closeline.alerts>`,
      references: `<alert-${notice.alert.id}@closeline.alerts>`,
    },
  );
}
