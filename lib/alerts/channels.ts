import type { Db } from "@/db/client";
import {
  deactivateChannelRow,
  findChannel,
  insertChannel,
  listChannelSummaries,
  updateChannelAddress,
  type ChannelSummary,
} from "@/db/queries/alert-channels";
import { deactivateAudited, writeAudit, type AuditContext } from "@/lib/audit";
import {
  AlertChannelInput,
  ChannelDeliveryInput,
  GROUPABLE_CHANNEL_KINDS,
  PagerDutyChannelInput,
} from "@/lib/contract/alert-channels";
import { InvalidInput, NotFound } from "@/lib/errors";
import { generateWebhookSecret } from "@/lib/outbox/signature";
import { seal } from "@/lib/secret-box";
import { env } from "@/lib/env";
import { requireSmtpServer } from "./email";
import { CHANNEL_SECRET_PURPOSE, PAGERDUTY_EVENTS_URL } from "./render";
import { SLACK_API_URL } from "./slack";
import { holdVersion } from "./versions";

/*
 * Where alert notices go. A webhook channel signs with a secret of its own, generated here
 * and returned once, on creation: the receiver needs it, and no list shows it again.
 */

export type { ChannelSummary } from "@/db/queries/alert-channels";

export interface WriteContext extends AuditContext {
  userId: string | null;
  /** The version the caller saw (If-Match), checked under the row lock; absent or null: any. */
  ifVersion?: number | null;
}

/** A zod error's problems, one line each, named by their field: what forms and the API show. */
export function issueLines(error: {
  issues: { path: PropertyKey[]; message: string }[];
}): string[] {
  return error.issues.map((i) => `${i.path.map(String).join(".") || "body"}: ${i.message}`);
}

/** The problems go in the message too: a form shows only the message. */
const invalidChannel = (details: string[]) =>
  new InvalidInput(`Invalid alert channel: ${details.join("; ")}`, details);

/** A channel's quiet hours and group window, beside its address; absent fields stay as they are. */
function deliveryOf(body: unknown, kind: string): ChannelDeliveryInput {
  const parsed = ChannelDeliveryInput.safeParse(body && typeof body === "object" ? body : {});
  if (!parsed.success) throw invalidChannel(issueLines(parsed.error));
  if (parsed.data.groupWindow && !GROUPABLE_CHANNEL_KINDS.includes(kind)) {
    throw invalidChannel([
      `groupWindow: a ${kind} channel gets one event per alert and groups them on its side`,
    ]);
  }
  return parsed.data;
}

/** What a channel shows of itself: its address, never its credential. */
function configOf(input: ChannelFields): ChannelSummary["config"] {
  switch (input.kind) {
    case "email":
      return { to: input.to };
    case "pagerduty":
      return { url: input.eventsUrl ?? PAGERDUTY_EVENTS_URL };
    case "slack":
      return input.slackChannel
        ? { slackChannel: input.slackChannel, apiUrl: input.apiUrl ?? SLACK_API_URL }
        : { url: input.url };
    default:
      return { url: input.url };
  }
}

/** A channel as validated; a PagerDuty change may leave the routing key out to keep it. */
type ChannelFields =
  AlertChannelInput | (Omit<PagerDutyChannelInput, "routingKey"> & { routingKey?: string });

/** The credential a channel's requests carry: a webhook's signing secret, PagerDuty's routing key, Slack's bot token. */
function secretOf(input: AlertChannelInput, given: string | undefined): string | null {
  if (input.kind === "webhook") return given ?? generateWebhookSecret();
  if (input.kind === "pagerduty") return input.routingKey;
  if (input.kind === "slack") return input.botToken ?? null;
  return null;
}

/**
 * A Slack channel posts either to an incoming webhook (`url`) or with a bot token to a Slack
 * channel id, never both. `hasToken`: a bot token is stored already (a change may keep it).
 */
function requireSlackAddress(input: ChannelFields, hasToken = false): void {
  if (input.kind !== "slack") return;
  const bot = Boolean(input.botToken || input.slackChannel);
  if (bot && input.url) {
    throw invalidChannel(["url: give an incoming-webhook url or a bot token, not both"]);
  }
  if (!bot && !input.url) {
    throw invalidChannel([
      "url: an incoming-webhook url, or botToken and slackChannel, is required",
    ]);
  }
  if (bot && !input.slackChannel) {
    throw invalidChannel(["slackChannel: the Slack channel id is required with a bot token"]);
  }
  if (bot && !input.botToken && !hasToken) {
    throw invalidChannel(["botToken: a bot token is required with a Slack channel id"]);
  }
}

/**
 * What a change is merged onto: the channel's current address, less the other way of
 * addressing Slack when the change names one (a webhook URL replaces a bot's channel).
 */
function addressBase(current: ChannelSummary, change: Record<string, unknown>) {
  if (current.kind === "pagerduty") return { eventsUrl: current.config.url };
  if (current.kind !== "slack") return current.config;
  if ("url" in change) return {};
  if ("slackChannel" in change || "botToken" in change) {
    return Object.fromEntries(Object.entries(current.config).filter(([key]) => key !== "url"));
  }
  return current.config;
}

export async function createChannel(
  db: Db,
  body: unknown,
  context: WriteContext & { secret?: string; smtpUrl?: string },
): Promise<{ channel: ChannelSummary; secret: string | null }> {
  const parsed = AlertChannelInput.safeParse(body);
  if (!parsed.success) throw invalidChannel(issueLines(parsed.error));
  const input = parsed.data;
  requireSlackAddress(input);
  const delivery = deliveryOf(body, input.kind);
  if (input.kind === "email") requireSmtpServer(context.smtpUrl ?? env.SMTP_URL);
  const secret = secretOf(input, context.secret);
  return db.transaction(async (tx) => {
    const channel = await insertChannel(tx, {
      kind: input.kind,
      name: input.name,
      config: configOf(input),
      secret: secret && seal(secret, CHANNEL_SECRET_PURPOSE),
      createdBy: context.userId,
      quietHours: delivery.quietHours ?? null,
      groupWindow: delivery.groupWindow ?? null,
    });
    await writeAudit(tx, {
      actor: context.actor,
      action: "alert_channel.created",
      target: { type: "alert_channel", id: channel.id },
      after: { kind: input.kind, name: input.name, ...configOf(input), ...delivery },
      meta: context.meta,
    });
    // Only a generated secret is news to the caller; a key or token they gave is not echoed.
    return { channel, secret: input.kind === "webhook" ? secret : null };
  });
}

export async function listChannels(db: Db): Promise<ChannelSummary[]> {
  return listChannelSummaries(db);
}

export async function getChannel(db: Db, id: string): Promise<ChannelSummary> {
  const row = await findChannel(db, id);
  if (!row) throw new NotFound("No alert channel with that id");
  return row;
}

/** Renames or re-addresses a channel; its kind and secret stay. */
export async function updateChannel(
  db: Db,
  id: string,
  body: unknown,
  context: WriteContext,
): Promise<ChannelSummary> {
  const current = await getChannel(db, id);
  const change: Record<string, unknown> = body && typeof body === "object" ? { ...body } : {};
  const merged = {
    kind: current.kind,
    name: current.name,
    ...addressBase(current, change),
    ...change,
  };
  // A PagerDuty channel keeps its sealed routing key unless the change gives a new one.
  const keepsKey =
    current.kind === "pagerduty" && change.kind === undefined && !("routingKey" in change);
  const parsed = keepsKey
    ? PagerDutyChannelInput.partial({ routingKey: true }).safeParse(merged)
    : AlertChannelInput.safeParse(merged);
  if (!parsed.success) throw invalidChannel(issueLines(parsed.error));
  if (parsed.data.kind !== current.kind) {
    throw new InvalidInput("A channel's kind cannot change; create a new channel instead");
  }
  requireSlackAddress(parsed.data, Boolean(current.config.slackChannel));
  const routingKey = parsed.data.kind === "pagerduty" ? parsed.data.routingKey : undefined;
  const botToken = parsed.data.kind === "slack" ? parsed.data.botToken : undefined;
  const newSecret = routingKey ?? botToken;
  // A Slack channel moved to an incoming webhook drops its bot token.
  const dropsToken =
    parsed.data.kind === "slack" && !parsed.data.slackChannel && current.config.slackChannel;
  const delivery = deliveryOf(body, current.kind);
  return db.transaction(async (tx) => {
    await holdVersion(tx, "alert_channel", id, context.ifVersion);
    const row = await updateChannelAddress(tx, id, {
      name: parsed.data.name,
      config: configOf(parsed.data),
      ...(newSecret ? { secret: seal(newSecret, CHANNEL_SECRET_PURPOSE) } : {}),
      ...(dropsToken ? { secret: null } : {}),
      quietHours: delivery.quietHours === undefined ? current.quietHours : delivery.quietHours,
      groupWindow: delivery.groupWindow === undefined ? current.groupWindow : delivery.groupWindow,
    });
    if (!row) throw new NotFound("No alert channel with that id");
    await writeAudit(tx, {
      actor: context.actor,
      action: "alert_channel.updated",
      target: { type: "alert_channel", id },
      before: {
        name: current.name,
        ...current.config,
        quietHours: current.quietHours,
        groupWindow: current.groupWindow,
      },
      after: {
        name: row.name,
        ...row.config,
        quietHours: row.quietHours,
        groupWindow: row.groupWindow,
        ...(routingKey ? { routingKey: "(replaced)" } : {}),
        ...(botToken ? { botToken: "(replaced)" } : {}),
      },
      meta: context.meta,
    });
    return row;
  });
}

/**
 * Deactivates a channel: notices already in the outbox for it dead-letter with the reason,
 * and rules stop sending to it. Kept, not deleted, for the delivery log.
 */
export async function deactivateChannel(db: Db, id: string, context: WriteContext): Promise<void> {
  await deactivateAudited(db, { type: "alert_channel", id }, context, {
    deactivate: async (tx) => {
      await holdVersion(tx, "alert_channel", id, context.ifVersion);
      return deactivateChannelRow(tx, id);
    },
    notFound: "No active alert channel with that id",
    describe: (row) => ({ name: row.name }),
  });
}
