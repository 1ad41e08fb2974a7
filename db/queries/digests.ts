import "server-only";
import { and, desc, eq, isNull, or, sql } from "drizzle-orm";
import type { Db } from "../client";
import { firstOrNull } from "../rows";
import { tryTransactionLock } from "./detection";
import { alertChannels, digests, outboxCommands, users, type Digest, type Role } from "../schema";
import { ADVISORY_LOCKS } from "../advisory-locks";

/* Digests people subscribe to, and what the scheduler reads and writes about them. */

export type DigestColumns = Pick<
  typeof digests.$inferInsert,
  "channelId" | "cadence" | "weekday" | "localTime" | "timeZone" | "entity" | "enabled"
>;

/** A digest with where it goes: its channel's name and kind, or its owner's address. */
export interface DigestRow extends Digest {
  ownerEmail: string;
  channelName: string | null;
  channelKind: string | null;
}

const withTarget = {
  digest: digests,
  ownerEmail: users.email,
  channelName: alertChannels.name,
  channelKind: alertChannels.kind,
};

function selectDigests(db: Db) {
  return db
    .select(withTarget)
    .from(digests)
    .innerJoin(users, eq(users.id, digests.ownerId))
    .leftJoin(alertChannels, eq(alertChannels.id, digests.channelId));
}

type Selected = {
  digest: Digest;
  ownerEmail: string;
  channelName: string | null;
  channelKind: string | null;
};
const flatten = ({ digest, ...target }: Selected): DigestRow => ({ ...digest, ...target });

/** The owner's digests that are not deleted, newest first. */
export async function listOwnedDigests(db: Db, ownerId: string): Promise<DigestRow[]> {
  const rows = await selectDigests(db)
    .where(and(eq(digests.ownerId, ownerId), isNull(digests.deletedAt)))
    .orderBy(desc(digests.createdAt), desc(digests.id));
  return rows.map(flatten);
}

/** One of the owner's digests, not deleted; null for anyone else's. */
export async function findOwnedDigest(
  db: Db,
  id: string,
  ownerId: string,
): Promise<DigestRow | null> {
  const row = await firstOrNull(
    selectDigests(db).where(
      and(eq(digests.id, id), eq(digests.ownerId, ownerId), isNull(digests.deletedAt)),
    ),
  );
  return row && flatten(row);
}

export async function insertDigest(
  tx: Db,
  values: DigestColumns & { ownerId: string; lastPeriodKey: string | null },
): Promise<Digest> {
  const [row] = await tx.insert(digests).values(values).returning();
  return row!;
}

export async function updateDigestColumns(
  tx: Db,
  id: string,
  set: DigestColumns & { lastPeriodKey: string | null },
): Promise<void> {
  await tx
    .update(digests)
    .set({ ...set, updatedAt: sql`now()` })
    .where(eq(digests.id, id));
}

/** Kept, not removed: the outbox's delivery log names it. */
export async function markDigestDeleted(tx: Db, id: string): Promise<void> {
  await tx
    .update(digests)
    .set({ deletedAt: sql`now()`, enabled: false, updatedAt: sql`now()` })
    .where(eq(digests.id, id));
}

/** An alert channel as a digest needs it: its kind, name and whether it still receives. */
export async function findDigestChannel(
  db: Db,
  id: string,
): Promise<{ id: string; kind: string; name: string; active: boolean } | null> {
  return firstOrNull(
    db
      .select({
        id: alertChannels.id,
        kind: alertChannels.kind,
        name: alertChannels.name,
        active: alertChannels.active,
      })
      .from(alertChannels)
      .where(eq(alertChannels.id, id)),
  );
}

/** What the scheduler looks at: enabled digests of active owners, to their address or an active channel. */
export async function scheduledDigests(
  db: Db,
): Promise<(Digest & { ownerRole: Role; channelKind: string | null })[]> {
  const rows = await db
    .select({ digest: digests, ownerRole: users.role, channelKind: alertChannels.kind })
    .from(digests)
    .innerJoin(users, eq(users.id, digests.ownerId))
    .leftJoin(alertChannels, eq(alertChannels.id, digests.channelId))
    .where(
      and(
        eq(digests.enabled, true),
        isNull(digests.deletedAt),
        eq(users.active, true),
        or(isNull(digests.channelId), eq(alertChannels.active, true)),
      ),
    )
    .orderBy(digests.createdAt, digests.id);
  return rows.map(({ digest, ownerRole, channelKind }) => ({ ...digest, ownerRole, channelKind }));
}

const SCHEDULER_LOCK_ID = ADVISORY_LOCKS.digestScheduling;

/** One instance schedules digests at a time; another finding the lock taken skips its round. */
export async function tryLockDigestScheduling(tx: Db): Promise<boolean> {
  return tryTransactionLock(tx, SCHEDULER_LOCK_ID);
}

/**
 * The digest's message for one period into the outbox. The key names the digest and the
 * period, so a period is queued once whoever schedules it and however often; false when it
 * was queued already.
 */
export async function enqueueDigest(
  tx: Db,
  input: {
    digestId: string;
    channelId: string | null;
    periodKey: string;
    payload: Record<string, unknown>;
  },
): Promise<boolean> {
  const rows = await tx
    .insert(outboxCommands)
    .values({
      kind: "digest",
      alertChannelId: input.channelId,
      digestId: input.digestId,
      payload: input.payload,
      idempotencyKey: `digest:${input.digestId}:${input.periodKey}`,
    })
    .onConflictDoNothing({ target: outboxCommands.idempotencyKey })
    .returning({ id: outboxCommands.id });
  return rows.length > 0;
}

/** Records the period as queued, so the next round does not look at it again. */
export async function markDigestQueued(tx: Db, id: string, periodKey: string): Promise<void> {
  await tx
    .update(digests)
    .set({ lastPeriodKey: periodKey, lastSentAt: sql`now()` })
    .where(eq(digests.id, id));
}
