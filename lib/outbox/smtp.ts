import nodemailer from "nodemailer";
import type { DeliveryOutcome } from "@/db/queries/outbox";

/*
 * One message through an SMTP server, with the answer sorted the way the outbox needs it.
 * SMTP says itself which failures are worth retrying (RFC 5321 §4.2.1): a 4xx reply is
 * transient (greylisting, a full mailbox, a server busy), a 5xx reply is permanent (no such
 * recipient, sender refused) and sending the same message again gets the same answer. A
 * connection that cannot be made or is cut has no reply at all: transient.
 */

/** What an attempt means for the command: done, try again later, or never again. */
export type AttemptVerdict = "delivered" | "retry" | "permanent";

export interface AttemptResult {
  outcome: DeliveryOutcome;
  verdict: AttemptVerdict;
}

export interface MailMessage {
  from: string;
  to: readonly string[];
  subject: string;
  text: string;
  html: string;
  /** The same on every attempt, so a mailbox that got the message twice shows it once. */
  messageId: string;
  /** Messages that belong together (one alert's notices) thread under this id. */
  references?: string;
}

export interface SmtpSettings {
  /** `smtp://user:pass@host:587` or `smtps://user:pass@host:465`. */
  url: string;
  /** No connection, greeting or reply within this counts as a transient failure. */
  timeoutMs: number;
}

interface SmtpError {
  code?: string;
  responseCode?: number;
  response?: string;
  message?: string;
}

export async function sendOverSmtp(
  settings: SmtpSettings,
  message: MailMessage,
): Promise<AttemptResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const transport = nodemailer.createTransport(settings.url, {
    connectionTimeout: settings.timeoutMs,
    greetingTimeout: settings.timeoutMs,
    socketTimeout: settings.timeoutMs,
  });
  try {
    await transport.sendMail({
      from: message.from,
      to: [...message.to],
      subject: message.subject,
      text: message.text,
      html: message.html,
      messageId: message.messageId,
      references: message.references,
    });
    return {
      outcome: { httpStatus: null, error: null, durationMs: elapsed() },
      verdict: "delivered",
    };
  } catch (error) {
    const e = error as SmtpError;
    const code = e.responseCode;
    const permanent = code !== undefined && code >= 500 && code < 600;
    return {
      outcome: { httpStatus: null, error: describeSmtpError(e), durationMs: elapsed() },
      verdict: permanent ? "permanent" : "retry",
    };
  } finally {
    transport.close();
  }
}

/** The server's own reply when there is one (it names the reason), else the connection problem. */
function describeSmtpError(e: SmtpError): string {
  const reply = e.response?.replace(/\s+/g, " ").trim();
  const text = reply
    ? `SMTP ${reply.startsWith(String(e.responseCode ?? "")) ? reply : `${e.responseCode} ${reply}`}`
    : `SMTP ${e.message ?? "failure"}${e.code ? ` (${e.code})` : ""}`;
  return text.slice(0, 500);
}
