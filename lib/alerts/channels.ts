import type { Db } from "@/db/client";
import {
  deactivateChannelRow,
  findChannel,
  insertChannel,
  listChannelSummaries,
  updateChannelAddress,
  type ChannelSummary,
} from "@/db/queries/alert-channels";
import { writeAudit, type AuditActor, type RequestMeta } from "@/lib/audit";
import {
  AlertChannelInput,
  ChannelDeliveryInput,
  GROUPABLE_CHANNEL_KINDS,
} from "@/lib/contract/alerts";
import { InvalidInput, NotFound } from "@/lib/errors";
import { generateWebhookSecret } from "@/lib/outbox/signature";
import { seal } from "@/lib/secret-box";
import { env } from "@/lib/env";
import { requireSmtpServer } from "./email";
import { CHANNEL_SECRET_PURPOSE } from "./render";

/*
 * Where alert notices go. A webhook channel signs with a secret of its own, generated here
 * and returned once, on creation: the receiver needs it, and no list shows it again.
 */

export type { ChannelSummary } from "@/db/queries/alert-channels";

export interface WriteContext {
  userId: string | null;
  actor: AuditActor;
  meta?: RequestMeta;
}

function issues(error: { issues: { path: PropertyKey[]; message: string }[] }): string[] {
  return error.issues.map((i) => `${i.path.map(String).join(".") || "body"}: ${i.message}`);
}

/** The problems go in the message too: a form shows only the message. */
const invalidChannel = (details: string[]) =>
  new InvalidInput(`Invalid alert channel: ${details.join("; ")}`, details);

/** A channel's quiet hours and group window, beside its address; absent fields stay as they are. */
function deliveryOf(body: unknown, kind: string): ChannelDeliveryInput {
  const parsed = ChannelDeliveryInput.safeParse(body && typeof body === "object" ? body : {});
  if (!parsed.success) throw invalidChannel(issues(parsed.error));
  if (parsed.data.groupWindow && !GROUPABLE_CHANNEL_KINDS.includes(kind)) {
    throw invalidChannel([`groupWindow: a ${kind} channel gets one message per alert`]);
  }
  return parsed.data;
}

function configOf(input: AlertChannelInput): ChannelSummary["config"] {
  return input.kind === "email" ? { to: input.to } : { url: input.url };
}

export async function createChannel(
  db: Db,
  body: unknown,
  context: WriteContext & { secret?: string; smtpUrl?: string },
): Promise<{ channel: ChannelSummary; secret: string | null }> {
  const parsed = AlertChannelInput.safeParse(body);
  if (!parsed.success) throw invalidChannel(issues(parsed.error));
  const input = parsed.data;
  const delivery = deliveryOf(body, input.kind);
  if (input.kind === "email") requireSmtpServer(context.smtpUrl ?? env.SMTP_URL);
  const secret = input.kind === "webhook" ? (context.secret ?? generateWebhookSecret()) : null;
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
    return { channel, secret };
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
  const parsed = AlertChannelInput.safeParse({
    kind: current.kind,
    name: current.name,
    ...current.config,
    ...(body && typeof body === "object" ? body : {}),
  });
  if (!parsed.success) throw invalidChannel(issues(parsed.error));
  if (parsed.data.kind !== current.kind) {
    throw new InvalidInput("A channel's kind cannot change; create a new channel instead");
  }
  const delivery = deliveryOf(body, current.kind);
  return db.transaction(async (tx) => {
    const row = await updateChannelAddress(tx, id, {
      name: parsed.data.name,
      config: configOf(parsed.data),
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
  await db.transaction(async (tx) => {
    const row = await deactivateChannelRow(tx, id);
    if (!row) throw new NotFound("No active alert channel with that id");
    await writeAudit(tx, {
      actor: context.actor,
      action: "alert_channel.deactivated",
      target: { type: "alert_channel", id },
      before: { name: row.name, active: true },
      after: { active: false },
      meta: context.meta,
    });
  });
}
