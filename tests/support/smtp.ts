import type { AddressInfo } from "node:net";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer, type SMTPServerOptions } from "smtp-server";

/*
 * A real SMTP server on a free local port that keeps every message it accepts, parsed, for
 * the tests that deliver e-mail (alert channels, digests) to read what arrived.
 */

export interface ReceivedMail {
  /** The RCPT TO addresses: who the message was delivered to, whatever its headers say. */
  envelopeTo: string[];
  message: ParsedMail;
}

export interface SmtpSink {
  /** The SMTP_URL that reaches it, with the credentials when it asks for them. */
  url: string;
  /** What it accepted, in order of arrival; a test may empty it. */
  received: ReceivedMail[];
  close(): Promise<void>;
}

export async function startSmtpSink(
  options: {
    /** Require AUTH with these; without them the server offers no AUTH at all. */
    credentials?: { user: string; password: string };
    /** How it answers at RCPT TO; by default it accepts every recipient. */
    onRcptTo?: SMTPServerOptions["onRcptTo"];
  } = {},
): Promise<SmtpSink> {
  const { credentials, onRcptTo } = options;
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    // No certificate to offer: plain SMTP (with AUTH when asked), as on a trusted local relay.
    disabledCommands: credentials ? ["STARTTLS"] : ["STARTTLS", "AUTH"],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === credentials?.user && auth.password === credentials?.password) {
        callback(null, { user: auth.username });
      } else callback(new Error("535 authentication failed"));
    },
    ...(onRcptTo ? { onRcptTo } : {}),
    onData(stream, session, callback) {
      const envelopeTo = session.envelope.rcptTo.map((r) => r.address);
      simpleParser(stream)
        .then((message) => {
          received.push({ envelopeTo, message });
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  const login = credentials ? `${credentials.user}:${credentials.password}@` : "";
  return {
    url: `smtp://${login}127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
