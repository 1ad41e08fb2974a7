import type { Db } from "@/db/client";
import {
  claimDueCommands,
  recordDelivered,
  recordFailed,
  type ClaimedCommand,
  type DeliveryOutcome,
} from "@/db/queries/outbox";
import { DEFAULT_EMAIL_DELIVERY, mailAlertNotice } from "@/lib/alerts/email";
import { alertRequest, type OutgoingRequest } from "@/lib/alerts/render";
import { postSlackNotice, postsWithBotToken, postToSlack } from "@/lib/alerts/slack";
import { digestRequest, mailDigest, slackDigestMessage } from "@/lib/digests/render";
import { DIGEST_KIND } from "@/db/schema";
import { openEndpointSecret } from "./endpoints";
import { webhookHeaders } from "./signature";
import { postRequest } from "./http-post";
import type { AttemptResult } from "./smtp";

/*
 * Delivers outbox commands to their webhooks: at least once, with the command id as
 * `webhook-id` on every attempt so a receiver drops repeats. A command is 'delivered' only
 * after a 2xx; anything else (another status, a timeout, a refused connection) is retried
 * on the backoff schedule, and after the last attempt the command is dead until an operator
 * re-sends it. Alert notices to an e-mail channel go over SMTP instead (lib/outbox/smtp.ts),
 * where the server's reply decides: accepted is delivered, a 4xx reply or no connection is
 * retried like a failed POST, and a 5xx reply (a recipient rejected) is dead at once.
 */

export interface DispatcherOptions {
  /**
   * Wait before each retry: the n-th entry follows the n-th failed attempt, so there are
   * `backoffMs.length + 1` attempts in all. Default 30 s, 2 min, 10 min, 1 h, 6 h: a receiver
   * that is down for a few hours still gets the command within the day.
   */
  backoffMs: readonly number[];
  /** A receiver that has not answered by then counts as failed (Standard Webhooks suggests a few seconds). */
  timeoutMs: number;
  /**
   * How long a claim holds. Longer than the timeout, so a live dispatcher always records its
   * outcome before another may take the command; a dead one's claims lapse after this.
   */
  leaseMs: number;
  /** Commands claimed per round, delivered in parallel. */
  batchSize: number;
  /** Spreads retries so commands that failed together do not come back together: ±20 %. */
  jitter: (delayMs: number) => number;
  fetch: typeof fetch;
  /** Where an e-mail channel's notices go out (SMTP_URL) and whom they come from (ALERT_EMAIL_FROM). */
  smtpUrl: string | undefined;
  emailFrom: string;
}

export const DEFAULT_DISPATCHER_OPTIONS: DispatcherOptions = {
  backoffMs: [30_000, 120_000, 600_000, 3_600_000, 21_600_000],
  timeoutMs: 10_000,
  leaseMs: 60_000,
  batchSize: 10,
  jitter: (delayMs) => Math.round(delayMs * (0.8 + 0.4 * Math.random())),
  fetch: (...args) => fetch(...args),
  smtpUrl: DEFAULT_EMAIL_DELIVERY.smtpUrl,
  emailFrom: DEFAULT_EMAIL_DELIVERY.from,
};

function withDefaults(options: Partial<DispatcherOptions>): DispatcherOptions {
  const merged = { ...DEFAULT_DISPATCHER_OPTIONS, ...options };
  if (merged.leaseMs <= merged.timeoutMs) {
    throw new Error("The outbox lease must be longer than the delivery timeout");
  }
  return merged;
}

export interface DispatchSummary {
  claimed: number;
  delivered: number;
  retrying: number;
  dead: number;
}

/** One round: claims the due commands and delivers them. Safe to run in several processes at once. */
export async function dispatchDue(
  db: Db,
  partial: Partial<DispatcherOptions> = {},
): Promise<DispatchSummary> {
  const options = withDefaults(partial);
  const claimed = await claimDueCommands(db, {
    limit: options.batchSize,
    leaseMs: options.leaseMs,
  });
  const summary: DispatchSummary = { claimed: claimed.length, delivered: 0, retrying: 0, dead: 0 };
  const results = await Promise.all(claimed.map((command) => deliverClaimed(db, command, options)));
  for (const result of results) summary[result]++;
  return summary;
}

async function deliverClaimed(
  db: Db,
  command: ClaimedCommand,
  options: DispatcherOptions,
): Promise<"delivered" | "retrying" | "dead"> {
  if (!command.endpointActive) {
    // Its endpoint was deactivated: park it where an operator sees it and can re-send it to
    // whichever endpoint receives the kind now.
    const error = command.alertChannelId ? "alert channel deactivated" : "endpoint deactivated";
    const outcome = { httpStatus: null, error, durationMs: 0 };
    await recordFailed(db, command.id, command.attempt, outcome, "dead");
    return "dead";
  }
  const { outcome, verdict } = await attemptDelivery(db, command, options);
  if (verdict === "delivered") {
    await recordDelivered(db, command.id, command.attempt, outcome);
    return "delivered";
  }
  const delay = verdict === "permanent" ? undefined : options.backoffMs[command.attempt - 1];
  if (delay === undefined) {
    await recordFailed(db, command.id, command.attempt, outcome, "dead");
    return "dead";
  }
  await recordFailed(db, command.id, command.attempt, outcome, {
    retryInMs: options.jitter(delay),
  });
  return "retrying";
}

/**
 * E-mail channels are mailed over SMTP; a Slack channel with a bot token posts through the Web
 * API (threading an alert's notices); everything else is an HTTP POST, done only on a 2xx.
 */
async function attemptDelivery(
  db: Db,
  command: ClaimedCommand,
  options: DispatcherOptions,
): Promise<AttemptResult> {
  const mail = { smtpUrl: options.smtpUrl, from: options.emailFrom, timeoutMs: options.timeoutMs };
  if (command.kind === DIGEST_KIND) {
    // A digest without a channel is mailed to its owner: its kind reads 'email' too.
    if (command.channelKind === "email") return mailDigest(command, mail);
    if (postsWithBotToken(command)) {
      return (await postToSlack(command, slackDigestMessage(command), null, options)).result;
    }
  } else if (command.alertChannelId && postsWithBotToken(command)) {
    return postSlackNotice(db, command, options);
  } else if (command.alertChannelId && command.channelKind === "email") {
    return mailAlertNotice(command, mail);
  }
  const outcome = await post(command, options);
  const ok = outcome.httpStatus !== null && outcome.httpStatus >= 200 && outcome.httpStatus < 300;
  return { outcome, verdict: ok ? "delivered" : "retry" };
}

/** The body a receiver gets: the command's kind and payload, with its id for reference. */
export function commandBody(command: Pick<ClaimedCommand, "id" | "kind" | "payload">): string {
  return JSON.stringify({ type: command.kind, id: command.id, data: command.payload });
}

/** A command to its endpoint: the command envelope, signed with the endpoint's secret. */
function endpointRequest(command: ClaimedCommand): OutgoingRequest {
  const body = commandBody(command);
  if (!command.url || !command.secret) throw new Error("the endpoint has no URL or secret");
  return {
    url: command.url,
    body,
    headers: webhookHeaders(openEndpointSecret(command.secret), command.id, body),
  };
}

async function post(command: ClaimedCommand, options: DispatcherOptions): Promise<DeliveryOutcome> {
  let request: OutgoingRequest;
  try {
    request =
      command.kind === DIGEST_KIND
        ? digestRequest(command)
        : command.alertChannelId
          ? alertRequest(command)
          : endpointRequest(command);
  } catch (error) {
    // A secret no configured key opens fails this delivery, with its reason.
    const message = error instanceof Error ? error.message : String(error);
    return { httpStatus: null, error: message.slice(0, 500), durationMs: 0 };
  }
  return (await postRequest(request, options)).outcome;
}

export interface DispatcherLoopOptions extends Partial<DispatcherOptions> {
  /** How often to look for due commands when the last round found none. */
  pollMs?: number;
  log?: (message: string, error?: unknown) => void;
}

/**
 * Runs the dispatcher in this process until the returned function is called (it resolves
 * once the round in flight has finished). A failing round (say, the database restarting) is
 * logged and the next poll tries again; a full round is followed at once by the next.
 */
export function startOutboxDispatcher(
  db: Db,
  options: DispatcherLoopOptions = {},
): () => Promise<void> {
  const pollMs = options.pollMs ?? 1_000;
  const log = options.log ?? ((message, error) => console.error(message, error));
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let current: Promise<void> = Promise.resolve();

  const round = async () => {
    timer = null;
    let again = false;
    try {
      const summary = await dispatchDue(db, options);
      again = summary.claimed >= (options.batchSize ?? DEFAULT_DISPATCHER_OPTIONS.batchSize);
    } catch (error) {
      log("Outbox dispatch failed; trying again shortly", error);
    }
    if (stopped) return;
    timer = setTimeout(() => void (current = round()), again ? 0 : pollMs);
    timer.unref();
  };
  current = round();

  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    await current;
  };
}
