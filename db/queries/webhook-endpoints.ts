import "server-only";
import { and, arrayOverlaps, desc, eq, sql } from "drizzle-orm";
import type { Db } from "../client";
import { firstOrNull } from "../rows";
import { webhookEndpoints, type CommandKind } from "../schema";
import { ADVISORY_LOCKS } from "../advisory-locks";

/* The webhooks the outbox delivers to. */

/** Serialises endpoint changes across app instances, so the one-per-kind rule holds. */
const ENDPOINT_LOCK_ID = ADVISORY_LOCKS.webhookEndpoints;

/** Waits for the endpoint lock, held until the transaction ends. */
export async function lockEndpointChanges(tx: Db): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${ENDPOINT_LOCK_ID})`);
}

/** What lists show: everything but the secret. */
const listed = {
  id: webhookEndpoints.id,
  name: webhookEndpoints.name,
  url: webhookEndpoints.url,
  kinds: webhookEndpoints.kinds,
  active: webhookEndpoints.active,
  createdAt: webhookEndpoints.createdAt,
  deactivatedAt: webhookEndpoints.deactivatedAt,
};

export type EndpointSummary = {
  id: string;
  name: string;
  url: string;
  kinds: string[];
  active: boolean;
  createdAt: Date;
  deactivatedAt: Date | null;
};

/** The active endpoints that receive any of `kinds`. */
export async function activeEndpointsReceiving(
  db: Db,
  kinds: readonly string[],
): Promise<{ id: string; name: string; kinds: string[] }[]> {
  return db
    .select({ name: webhookEndpoints.name, kinds: webhookEndpoints.kinds, id: webhookEndpoints.id })
    .from(webhookEndpoints)
    .where(
      and(eq(webhookEndpoints.active, true), arrayOverlaps(webhookEndpoints.kinds, [...kinds])),
    );
}

export async function insertEndpoint(
  tx: Db,
  values: {
    name: string;
    url: string;
    kinds: CommandKind[];
    /** Sealed. */
    secret: string;
    createdBy: string | null;
  },
): Promise<EndpointSummary> {
  const [endpoint] = await tx.insert(webhookEndpoints).values(values).returning(listed);
  return endpoint!;
}

/** Deactivates an active endpoint; null when there is no active endpoint with that id. */
export async function deactivateEndpointRow(
  tx: Db,
  id: string,
): Promise<{ name: string; url: string } | null> {
  return firstOrNull(
    tx
      .update(webhookEndpoints)
      .set({ active: false, deactivatedAt: sql`now()` })
      .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.active, true)))
      .returning({ name: webhookEndpoints.name, url: webhookEndpoints.url }),
  );
}

/** Active ones first, newest first. */
export async function listEndpointSummaries(db: Db): Promise<EndpointSummary[]> {
  return db
    .select(listed)
    .from(webhookEndpoints)
    .orderBy(desc(webhookEndpoints.active), desc(webhookEndpoints.createdAt));
}

/** The newest active endpoint that receives `kind`. */
export async function activeEndpointFor(
  db: Db,
  kind: CommandKind,
): Promise<{ id: string; name: string } | null> {
  return firstOrNull(
    db
      .select({ id: webhookEndpoints.id, name: webhookEndpoints.name })
      .from(webhookEndpoints)
      .where(and(eq(webhookEndpoints.active, true), arrayOverlaps(webhookEndpoints.kinds, [kind])))
      .orderBy(desc(webhookEndpoints.createdAt))
      .limit(1),
  );
}

export async function findActiveEndpointNamed(
  db: Db,
  name: string,
): Promise<{ id: string; url: string; secret: string } | null> {
  return firstOrNull(
    db
      .select({
        id: webhookEndpoints.id,
        url: webhookEndpoints.url,
        secret: webhookEndpoints.secret,
      })
      .from(webhookEndpoints)
      .where(and(eq(webhookEndpoints.name, name), eq(webhookEndpoints.active, true)))
      .limit(1),
  );
}

/** Points an endpoint elsewhere in place, so commands still pending follow it. */
export async function readdressEndpoint(
  tx: Db,
  id: string,
  set: { url: string; /** Sealed. */ secret: string; kinds: CommandKind[] },
): Promise<void> {
  await tx.update(webhookEndpoints).set(set).where(eq(webhookEndpoints.id, id));
}

export async function endpointSecrets(db: Db): Promise<{ id: string; secret: string }[]> {
  return db
    .select({ id: webhookEndpoints.id, secret: webhookEndpoints.secret })
    .from(webhookEndpoints);
}

/**
 * Replaces the stored secret only if it is still the one read (another instance may have
 * replaced it meanwhile); answers how many rows changed.
 */
export async function replaceEndpointSecret(
  db: Db,
  id: string,
  from: string,
  to: string,
): Promise<number> {
  const updated = await db
    .update(webhookEndpoints)
    .set({ secret: to })
    .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.secret, from)))
    .returning({ id: webhookEndpoints.id });
  return updated.length;
}
