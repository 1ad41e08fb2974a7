import type { Db } from "@/db/client";
import {
  findDigestChannel,
  findOwnedDigest,
  insertDigest,
  listOwnedDigests,
  markDigestDeleted,
  updateDigestColumns,
  type DigestColumns,
  type DigestRow,
} from "@/db/queries/digests";
import type { Role } from "@/db/schema";
import { parseInput } from "@/lib/parse-input";
import { requireSmtpServer } from "@/lib/alerts/email";
import { writeAudit, type AuditContext } from "@/lib/audit";
import { can } from "@/lib/auth/permissions";
import { DigestChange, DigestInput, type DigestView } from "@/lib/contract/digests";
import { env } from "@/lib/env";
import { Forbidden, InvalidInput, NotFound } from "@/lib/errors";
import {
  latestOccurrence,
  nextOccurrence,
  weekdayName,
  weekdayNumber,
  type DigestSchedule,
} from "./schedule";

/*
 * Subscribing to digests. Anyone signed in may send digests to their own address; sending
 * one to an alert channel (which others read) takes the alerts:manage permission, as writing
 * the channel does. A person sees and changes only their own digests: another's is "not
 * found". Every create, change and delete is audited with its before and after.
 */

export interface DigestOwner {
  id: string;
  role: Role;
}

export interface DigestWriteContext extends AuditContext {
  /** Where e-mail goes out; default SMTP_URL. */
  smtpUrl?: string;
  now?: Date;
}

const BY_EMAIL = { one: "digest", many: "e-mail digests" };

/** Whether this install can send e-mail digests at all (SMTP_URL is set). */
export const emailDigestsAvailable = (): boolean => Boolean(env.SMTP_URL);

/** Channel kinds a digest may go to: PagerDuty pages people, and a digest is no incident. */
const DIGEST_CHANNEL_KINDS = ["slack", "teams", "email", "webhook"];

const invalidDigest = (details: string[]) =>
  new InvalidInput(`Invalid digest: ${details.join("; ")}`, details);
const DIGEST_PROBLEMS = { whole: "body", title: "Invalid digest" };

/** A digest as written, or InvalidInput naming each problem. */
function parseDigest(body: unknown): DigestInput {
  return parseInput(DigestInput, body, DIGEST_PROBLEMS);
}

const scheduleOf = (
  row: Pick<DigestRow, "cadence" | "weekday" | "localTime" | "timeZone">,
): DigestSchedule => ({
  cadence: row.cadence,
  weekday: row.weekday,
  localTime: row.localTime,
  timeZone: row.timeZone,
});

export function digestView(row: DigestRow, now: Date = new Date()): DigestView {
  return {
    id: row.id,
    target:
      row.channelId === null
        ? { kind: "email", address: row.ownerEmail }
        : {
            kind: "channel",
            id: row.channelId,
            name: row.channelName ?? "",
            channelKind: row.channelKind ?? "",
          },
    cadence: row.cadence,
    weekday: row.weekday === null ? null : weekdayName(row.weekday),
    time: row.localTime,
    timeZone: row.timeZone,
    entity: row.entity,
    enabled: row.enabled,
    nextSendAt: row.enabled ? nextOccurrence(scheduleOf(row), now).at.toISOString() : null,
    lastSentAt: row.lastSentAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}

const columns = (input: DigestInput): DigestColumns => ({
  channelId: input.channelId,
  cadence: input.cadence,
  weekday: input.weekday === null ? null : weekdayNumber(input.weekday),
  localTime: input.time,
  timeZone: input.timeZone,
  entity: input.entity,
  enabled: input.enabled,
});

/** What the audit log keeps of a digest: its target and schedule. */
const audited = (c: DigestColumns) => ({
  channelId: c.channelId ?? null,
  cadence: c.cadence,
  weekday: c.weekday ?? null,
  time: c.localTime,
  timeZone: c.timeZone,
  entity: c.entity ?? null,
  enabled: c.enabled ?? true,
});

/** The target is one the owner may send to, and one that can take a digest. */
async function checkTarget(
  db: Db,
  owner: DigestOwner,
  channelId: string | null,
  context: DigestWriteContext,
): Promise<void> {
  const smtpUrl = context.smtpUrl ?? env.SMTP_URL;
  if (channelId === null) {
    requireSmtpServer(smtpUrl, BY_EMAIL);
    return;
  }
  if (!can(owner.role, "alerts:manage")) {
    throw new Forbidden(
      `Your role (${owner.role}) lacks the 'alerts:manage' permission a digest to a channel needs; a digest to your own address needs none`,
    );
  }
  const channel = await findDigestChannel(db, channelId);
  if (!channel || !channel.active) {
    throw invalidDigest(["channelId: names a channel that does not exist or is inactive"]);
  }
  if (!DIGEST_CHANNEL_KINDS.includes(channel.kind)) {
    throw invalidDigest([
      `channelId: a ${channel.kind} channel pages people about incidents and takes no digest; choose a Slack, Teams, e-mail or webhook channel`,
    ]);
  }
  if (channel.kind === "email") requireSmtpServer(smtpUrl, BY_EMAIL);
}

/**
 * The period a schedule starts after: its latest occurrence before now counts as done, so
 * subscribing on a Tuesday to Monday's digest does not send last Monday's at once.
 */
const baseline = (c: DigestColumns, now: Date) =>
  latestOccurrence(
    {
      cadence: c.cadence,
      weekday: c.weekday ?? null,
      localTime: c.localTime,
      timeZone: c.timeZone,
    },
    now,
  ).periodKey;

export async function createDigest(
  db: Db,
  owner: DigestOwner,
  body: unknown,
  context: DigestWriteContext,
): Promise<DigestView> {
  const input = parseDigest(body);
  const now = context.now ?? new Date();
  await checkTarget(db, owner, input.channelId, context);
  const values = columns(input);
  const row = await db.transaction(async (tx) => {
    const digest = await insertDigest(tx, {
      ...values,
      ownerId: owner.id,
      lastPeriodKey: baseline(values, now),
    });
    await writeAudit(tx, {
      actor: context.actor,
      action: "digest.created",
      target: { type: "digest", id: digest.id },
      after: audited(values),
      meta: context.meta,
    });
    return findOwnedDigest(tx, digest.id, owner.id);
  });
  return digestView(row!, now);
}

export async function listDigests(
  db: Db,
  owner: DigestOwner,
  now: Date = new Date(),
): Promise<DigestView[]> {
  return (await listOwnedDigests(db, owner.id)).map((row) => digestView(row, now));
}

async function owned(db: Db, id: string, owner: DigestOwner): Promise<DigestRow> {
  const row = await findOwnedDigest(db, id, owner.id);
  if (!row) throw new NotFound("No digest of yours with that id");
  return row;
}

export async function getDigest(db: Db, id: string, owner: DigestOwner): Promise<DigestView> {
  return digestView(await owned(db, id, owner));
}

const columnsOfRow = (row: DigestRow): DigestColumns => ({
  channelId: row.channelId,
  cadence: row.cadence,
  weekday: row.weekday,
  localTime: row.localTime,
  timeZone: row.timeZone,
  entity: row.entity,
  enabled: row.enabled,
});

/** Changes some of a digest's fields; the digest after the change is checked as a whole. */
export async function updateDigest(
  db: Db,
  id: string,
  owner: DigestOwner,
  body: unknown,
  context: DigestWriteContext,
): Promise<DigestView> {
  const change = parseInput(DigestChange, body, DIGEST_PROBLEMS);
  const now = context.now ?? new Date();
  const current = await owned(db, id, owner);
  const before = columnsOfRow(current);
  const merged = parseDigest({
    channelId: current.channelId,
    cadence: current.cadence,
    weekday: current.weekday === null ? null : weekdayName(current.weekday),
    time: current.localTime,
    timeZone: current.timeZone,
    entity: current.entity,
    enabled: current.enabled,
    // A weekly digest made daily drops its weekday unless the change names one.
    ...(change.cadence === "daily" && change.weekday === undefined ? { weekday: null } : {}),
    ...change,
  });
  // Keeping the target one already has needs no new check; moving to another does.
  if (merged.channelId !== current.channelId) {
    await checkTarget(db, owner, merged.channelId, context);
  }
  const after = columns(merged);
  // A new schedule, or a paused digest resumed, starts from now, as a new digest does: the
  // occurrences it missed while paused are not owed.
  const startsFromNow =
    (after.enabled === true && before.enabled === false) ||
    after.cadence !== before.cadence ||
    after.weekday !== before.weekday ||
    after.localTime !== before.localTime ||
    after.timeZone !== before.timeZone;
  const row = await db.transaction(async (tx) => {
    await updateDigestColumns(tx, id, {
      ...after,
      lastPeriodKey: startsFromNow ? baseline(after, now) : current.lastPeriodKey,
    });
    await writeAudit(tx, {
      actor: context.actor,
      action: "digest.updated",
      target: { type: "digest", id },
      before: audited(before),
      after: audited(after),
      meta: context.meta,
    });
    return findOwnedDigest(tx, id, owner.id);
  });
  return digestView(row!, now);
}

export async function deleteDigest(
  db: Db,
  id: string,
  owner: DigestOwner,
  context: AuditContext,
): Promise<void> {
  const current = await owned(db, id, owner);
  await db.transaction(async (tx) => {
    await markDigestDeleted(tx, id);
    await writeAudit(tx, {
      actor: context.actor,
      action: "digest.deleted",
      target: { type: "digest", id },
      before: audited(columnsOfRow(current)),
      meta: context.meta,
    });
  });
}
