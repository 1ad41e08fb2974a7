import type { Db } from "@/db/client";
import { findSystemKeyByName, insertApiKey, replaceKeySecret } from "@/db/queries/api-keys";
import { SYSTEM_ACTOR, writeAudit } from "@/lib/audit";
import { hashApiKey } from "@/lib/auth/api-keys";

/** The api_keys row the demo simulator sends with; there is at most one active. */
export const DEMO_KEY_NAME = "demo simulator";

/**
 * Makes `key` the demo simulator's key. `npm start` generates a fresh key every run and
 * hands it to the server here (the launcher never opens the database: the embedded PGlite
 * belongs to the server process alone). The existing demo row is updated rather than
 * replaced, because the events already ingested reference it; the previous run's key stops
 * working.
 */
export async function registerDemoIngestKey(db: Db, key: string): Promise<{ id: string }> {
  const keyHash = hashApiKey(key);
  const prefix = key.slice(0, 10);
  return db.transaction(async (tx) => {
    const existing = await findSystemKeyByName(tx, DEMO_KEY_NAME);
    if (existing?.keyHash === keyHash) return { id: existing.id };

    let id: string;
    if (existing) {
      await replaceKeySecret(tx, existing.id, { keyHash, prefix, scopes: ["ingest", "read"] });
      id = existing.id;
    } else {
      id = await insertApiKey(tx, {
        name: DEMO_KEY_NAME,
        prefix,
        keyHash,
        scopes: ["ingest", "read"],
      });
    }
    await writeAudit(tx, {
      actor: SYSTEM_ACTOR,
      action: existing ? "api_key.demo_rotated" : "api_key.created",
      target: { type: "api_key", id },
      before: existing ? { prefix: existing.prefix } : undefined,
      after: { name: DEMO_KEY_NAME, prefix, scopes: ["ingest", "read"] },
    });
    return { id };
  });
}
