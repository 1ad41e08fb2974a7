import "server-only";
import { and, desc, eq, sql } from "drizzle-orm";
import type { Db } from "../client";
import { firstOrNull } from "../rows";
import { alertChannels, type AlertChannel, type AlertChannelConfig } from "../schema";

/* Where alert notices go. */

export interface ChannelSummary {
  id: string;
  kind: string;
  name: string;
  config: AlertChannelConfig;
  quietHours: AlertChannel["quietHours"];
  groupWindow: string | null;
  active: boolean;
  version: number;
  createdAt: Date;
}

/** What lists show: everything but the secret. */
const listed = {
  id: alertChannels.id,
  kind: alertChannels.kind,
  name: alertChannels.name,
  config: alertChannels.config,
  quietHours: alertChannels.quietHours,
  groupWindow: alertChannels.groupWindow,
  active: alertChannels.active,
  version: alertChannels.version,
  createdAt: alertChannels.createdAt,
};

export async function insertChannel(
  tx: Db,
  values: {
    kind: AlertChannel["kind"];
    name: string;
    config: ChannelSummary["config"];
    /** Sealed; null for a channel that signs nothing. */
    secret: string | null;
    createdBy: string | null;
    quietHours?: AlertChannel["quietHours"];
    groupWindow?: string | null;
  },
): Promise<ChannelSummary> {
  const [channel] = await tx.insert(alertChannels).values(values).returning(listed);
  return channel!;
}

/** Active ones first, newest first. */
export async function listChannelSummaries(db: Db): Promise<ChannelSummary[]> {
  return db
    .select(listed)
    .from(alertChannels)
    .orderBy(desc(alertChannels.active), desc(alertChannels.createdAt));
}

export async function findChannel(db: Db, id: string): Promise<ChannelSummary | null> {
  return firstOrNull(db.select(listed).from(alertChannels).where(eq(alertChannels.id, id)));
}

export async function updateChannelAddress(
  tx: Db,
  id: string,
  set: {
    name: string;
    config: ChannelSummary["config"];
    quietHours: AlertChannel["quietHours"];
    groupWindow: string | null;
    /** Sealed; absent keeps the current one, null drops it. */
    secret?: string | null;
  },
): Promise<ChannelSummary | null> {
  const { secret, ...columns } = set;
  return firstOrNull(
    tx
      .update(alertChannels)
      .set({
        ...columns,
        ...(secret !== undefined ? { secret } : {}),
        version: sql`${alertChannels.version} + 1`,
        updatedAt: sql`now()`,
      })
      .where(eq(alertChannels.id, id))
      .returning(listed),
  );
}

/** Deactivates an active channel; null when there is no active channel with that id. */
export async function deactivateChannelRow(tx: Db, id: string): Promise<{ name: string } | null> {
  return firstOrNull(
    tx
      .update(alertChannels)
      .set({ active: false, version: sql`${alertChannels.version} + 1`, updatedAt: sql`now()` })
      .where(and(eq(alertChannels.id, id), eq(alertChannels.active, true)))
      .returning({ name: alertChannels.name }),
  );
}
