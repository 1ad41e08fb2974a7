import { z } from "zod";
import type { Db } from "@/db/client";
import {
  activeEndpointFor,
  activeEndpointsReceiving,
  deactivateEndpointRow,
  endpointSecrets,
  findActiveEndpointNamed,
  insertEndpoint,
  listEndpointSummaries,
  lockEndpointChanges,
  readdressEndpoint,
  replaceEndpointSecret,
  type EndpointSummary,
} from "@/db/queries/webhook-endpoints";
import { COMMAND_KINDS, type CommandKind } from "@/db/schema";
import {
  deactivateAudited,
  writeAudit,
  type AuditActor,
  type AuditContext,
  type RequestMeta,
} from "@/lib/audit";
import { Conflict, InvalidInput } from "@/lib/errors";
import { UnreadableSecret, needsResealing, open, seal, type SecretKey } from "@/lib/secret-box";
import { generateWebhookSecret } from "./signature";

/*
 * The webhooks an admin points the outbox at. Each command kind goes to exactly one active
 * endpoint (two would make the ERP redo a posting twice), so adding an endpoint for a kind
 * that already has one is refused until the old one is deactivated.
 */

/** What a sealed signing secret is bound to (lib/secret-box.ts): it opens as nothing else. */
export const ENDPOINT_SECRET_PURPOSE = "webhook_endpoints.secret";

/** The signing secret of a stored endpoint, opened for signing. */
export const openEndpointSecret = (stored: string, keyring?: SecretKey[]) =>
  open(stored, ENDPOINT_SECRET_PURPOSE, keyring);

export const EndpointInput = z.object({
  name: z.string().trim().min(1, "Name is required").max(100),
  url: z.url({ protocol: /^https?$/, error: "URL must be an http or https address" }).max(2000),
  kinds: z.array(z.enum(COMMAND_KINDS)).min(1, "Choose at least one command kind"),
});
export type EndpointInput = z.infer<typeof EndpointInput>;

export type { EndpointSummary } from "@/db/queries/webhook-endpoints";

function parse(input: unknown): EndpointInput {
  const parsed = EndpointInput.safeParse(input);
  if (!parsed.success) throw new InvalidInput(parsed.error.issues.map((i) => i.message).join("; "));
  return { ...parsed.data, kinds: [...new Set(parsed.data.kinds)] };
}

async function assertKindsFree(tx: Db, kinds: readonly string[], except?: string): Promise<void> {
  await lockEndpointChanges(tx);
  const taken = await activeEndpointsReceiving(tx, kinds);
  const clash = taken.find((e) => e.id !== except);
  if (clash) {
    const kind = kinds.find((k) => clash.kinds.includes(k));
    throw new Conflict(
      `The active endpoint "${clash.name}" already receives ${kind}; deactivate it first`,
    );
  }
}

/**
 * Creates an endpoint with a fresh signing secret, returned once: the receiver needs it to
 * verify signatures, and no page shows it again.
 */
export async function createEndpoint(
  db: Db,
  input: unknown,
  context: { createdBy: string | null; actor: AuditActor; meta?: RequestMeta; secret?: string },
): Promise<{ endpoint: EndpointSummary; secret: string }> {
  const data = parse(input);
  const secret = context.secret ?? generateWebhookSecret();
  return db.transaction(async (tx) => {
    await assertKindsFree(tx, data.kinds);
    const endpoint = await insertEndpoint(tx, {
      ...data,
      secret: seal(secret, ENDPOINT_SECRET_PURPOSE),
      createdBy: context.createdBy,
    });
    await writeAudit(tx, {
      actor: context.actor,
      action: "webhook_endpoint.created",
      target: { type: "webhook_endpoint", id: endpoint.id },
      after: { name: data.name, url: data.url, kinds: data.kinds },
      meta: context.meta,
    });
    return { endpoint, secret };
  });
}

/** Stops new commands going to the endpoint; commands already addressed to it dead-letter. */
export async function deactivateEndpoint(db: Db, id: string, context: AuditContext): Promise<void> {
  await deactivateAudited(db, { type: "webhook_endpoint", id }, context, {
    deactivate: (tx) => deactivateEndpointRow(tx, id),
    notFound: "No active webhook endpoint with that id",
    describe: (row) => row,
  });
}

export async function listEndpoints(db: Db): Promise<EndpointSummary[]> {
  return listEndpointSummaries(db);
}

/** The active endpoint that receives `kind`, or null when an admin has configured none. */
export async function endpointFor(
  db: Db,
  kind: CommandKind,
): Promise<{ id: string; name: string } | null> {
  return activeEndpointFor(db, kind);
}

/**
 * The demo's receiving systems (lib/simulator/receiver.ts, started by `npm start`) get their
 * endpoint registered at server start, like the demo ingest key. The launcher passes URL and
 * secret; a new run replaces the previous run's endpoint.
 */
export const DEMO_ENDPOINT_NAME = "demo receiving systems";

export async function registerDemoEndpoint(
  db: Db,
  url: string,
  secret: string,
): Promise<{ id: string } | null> {
  const actor: AuditActor = { type: "system", id: null, label: "closeline" };
  return db.transaction(async (tx) => {
    await lockEndpointChanges(tx);
    const current = await findActiveEndpointNamed(tx, DEMO_ENDPOINT_NAME);
    if (current && current.url === url && sameSecret(current.secret, secret)) {
      return { id: current.id };
    }
    // An admin's own endpoint for a kind wins over the demo: the demo takes only the rest.
    const kinds: CommandKind[] = [];
    for (const kind of COMMAND_KINDS) {
      const owner = await endpointFor(tx, kind);
      if (!owner || owner.id === current?.id) kinds.push(kind);
    }
    if (current) {
      // Updated in place, like the demo ingest key: commands still pending reach the new run's receiver.
      await readdressEndpoint(tx, current.id, {
        url,
        secret: seal(secret, ENDPOINT_SECRET_PURPOSE),
        kinds,
      });
      await writeAudit(tx, {
        actor,
        action: "webhook_endpoint.demo_rotated",
        target: { type: "webhook_endpoint", id: current.id },
        before: { url: current.url },
        after: { url, kinds },
      });
      return { id: current.id };
    }
    if (kinds.length === 0) return null;
    const { endpoint } = await createEndpoint(
      tx,
      { name: DEMO_ENDPOINT_NAME, url, kinds },
      { createdBy: null, actor, secret },
    );
    return { id: endpoint.id };
  });
}

function sameSecret(stored: string, secret: string): boolean {
  try {
    return openEndpointSecret(stored) === secret;
  } catch (error) {
    if (error instanceof UnreadableSecret) return false;
    throw error;
  }
}

/**
 * Seals every endpoint secret that is stored in plaintext (from before sealing) or under a
 * key other than the current one: run at start, this is both the upgrade and the rotation
 * (lib/secret-box.ts). A secret no configured key opens is left as it is and reported.
 */
export async function resealEndpointSecrets(
  db: Db,
  keyring?: SecretKey[],
): Promise<{ resealed: number; unreadable: number }> {
  const rows = await endpointSecrets(db);
  let resealed = 0;
  let unreadable = 0;
  for (const row of rows) {
    if (!needsResealing(row.secret, keyring)) continue;
    let plaintext: string;
    try {
      plaintext = openEndpointSecret(row.secret, keyring);
    } catch (error) {
      if (!(error instanceof UnreadableSecret)) throw error;
      unreadable++;
      continue;
    }
    // Only if no other instance resealed it meanwhile.
    resealed += await replaceEndpointSecret(
      db,
      row.id,
      row.secret,
      seal(plaintext, ENDPOINT_SECRET_PURPOSE, keyring),
    );
  }
  return { resealed, unreadable };
}
