import type { Db } from "@/db/client";
import { saveSlackThreads, slackThreadOf } from "@/db/queries/alert-slack-threads";
import type { ClaimedCommand } from "@/db/queries/outbox";
import { AlertGroupNotice, AlertNotice } from "@/lib/contract/alert-notices";
import { postRequest, type PostSettings } from "@/lib/outbox/http-post";
import type { AttemptResult } from "@/lib/outbox/smtp";
import { open } from "@/lib/secret-box";
import { CHANNEL_SECRET_PURPOSE, slackGroupMessage, slackMessage } from "./render";

/*
 * Slack through the Web API, for a channel that has a bot token and a Slack channel id: the
 * first notice of an alert is posted with chat.postMessage and its `ts` kept, and every later
 * notice of that alert (resolved, acknowledged, a repeat) replies in that thread, so the
 * people who saw it fire see it end under the same message. Without a bot token a Slack
 * channel posts to its incoming webhook instead, which cannot thread (./render.ts).
 */

/** Where the Web API answers unless a channel says otherwise (a test receiver). */
export const SLACK_API_URL = "https://slack.com/api";

/**
 * Web API errors another attempt will not mend (a revoked token, the bot not in the channel):
 * dead at once with the reason. Others (ratelimited, internal_error, …) are retried.
 */
const PERMANENT_SLACK_ERRORS = new Set([
  "invalid_auth",
  "not_authed",
  "account_inactive",
  "token_revoked",
  "token_expired",
  "channel_not_found",
  "not_in_channel",
  "is_archived",
  "missing_scope",
  "no_permission",
  "invalid_blocks",
  "msg_too_long",
  "invalid_arguments",
]);

/** Whether a claimed notice goes to a Slack channel posting with a bot token. */
export const postsWithBotToken = (command: Pick<ClaimedCommand, "channelKind" | "channelConfig">) =>
  command.channelKind === "slack" && Boolean(command.channelConfig?.slackChannel);

interface SlackAnswer {
  ok?: boolean;
  ts?: string;
  error?: string;
}

function parseAnswer(body: string): SlackAnswer {
  try {
    const parsed: unknown = JSON.parse(body);
    return parsed && typeof parsed === "object" ? (parsed as SlackAnswer) : {};
  } catch {
    return {};
  }
}

/** A Slack message posted with chat.postMessage: the outcome, and the message's `ts` if posted. */
interface SlackPost {
  result: AttemptResult;
  ts: string | null;
}

/**
 * Posts one message (Block Kit `blocks` and fallback `text`) to the channel's Slack channel
 * with its bot token, as a reply in `threadTs` when given.
 */
export async function postToSlack(
  command: Pick<ClaimedCommand, "secret" | "channelConfig">,
  message: object,
  threadTs: string | null,
  settings: PostSettings,
): Promise<SlackPost> {
  const failed = (error: string, verdict: AttemptResult["verdict"]): SlackPost => ({
    result: { outcome: { httpStatus: null, error, durationMs: 0 }, verdict },
    ts: null,
  });
  const slackChannel = command.channelConfig?.slackChannel;
  if (!slackChannel) return failed("the Slack channel has no channel id", "permanent");
  if (!command.secret) return failed("the Slack channel has no bot token", "permanent");
  let token: string;
  try {
    token = open(command.secret, CHANNEL_SECRET_PURPOSE);
  } catch (error) {
    return failed(error instanceof Error ? error.message : String(error), "retry");
  }
  const body = JSON.stringify({
    channel: slackChannel,
    ...message,
    ...(threadTs ? { thread_ts: threadTs } : {}),
    unfurl_links: false,
  });
  const apiUrl = (command.channelConfig?.apiUrl ?? SLACK_API_URL).replace(/\/+$/, "");
  const { outcome, body: answerText } = await postRequest(
    {
      url: `${apiUrl}/chat.postMessage`,
      body,
      headers: {
        "content-type": "application/json; charset=utf-8",
        authorization: `Bearer ${token}`,
      },
    },
    settings,
    true,
  );
  if (outcome.error !== null) return { result: { outcome, verdict: "retry" }, ts: null };
  // The Web API answers 200 to a refusal too: `ok` says whether the message was posted.
  const answer = parseAnswer(answerText);
  if (answer.ok !== true || typeof answer.ts !== "string") {
    const reason = answer.error ?? "no ts in the answer";
    return {
      result: {
        outcome: { ...outcome, error: `Slack: ${reason}` },
        verdict: PERMANENT_SLACK_ERRORS.has(reason) ? "permanent" : "retry",
      },
      ts: null,
    };
  }
  return { result: { outcome, verdict: "delivered" }, ts: answer.ts };
}

/** One notice to its Slack channel with chat.postMessage, in the alert's thread once it has one. */
export async function postSlackNotice(
  db: Db,
  command: Pick<ClaimedCommand, "payload" | "secret" | "channelConfig" | "alertChannelId">,
  settings: PostSettings,
): Promise<AttemptResult> {
  const channelId = command.alertChannelId;
  if (!channelId) {
    return {
      outcome: { httpStatus: null, error: "the notice has no alert channel", durationMs: 0 },
      verdict: "permanent",
    };
  }
  const group = AlertGroupNotice.safeParse(command.payload);
  const single = group.success ? null : AlertNotice.safeParse(command.payload);
  if (!group.success && !single?.success) {
    return {
      outcome: {
        httpStatus: null,
        error: "the stored notice is not an alert notice",
        durationMs: 0,
      },
      verdict: "permanent",
    };
  }
  const alertIds = group.success ? group.data.alerts.map((a) => a.id) : [single!.data!.alert.id];
  // A group opens a message of its own; one alert's later notices reply in its thread.
  const threadTs = group.success
    ? null
    : await slackThreadOf(db, { alertId: alertIds[0]!, channelId });
  const message = group.success ? slackGroupMessage(group.data) : slackMessage(single!.data!);
  const { result, ts } = await postToSlack(command, message, threadTs, settings);
  if (ts && !threadTs) await saveSlackThreads(db, alertIds, channelId, ts);
  return result;
}
