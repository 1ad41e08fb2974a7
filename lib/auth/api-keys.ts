import { createHash, randomBytes } from "node:crypto";
import { and, desc, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { API_KEY_SCOPES, apiKeys, type ApiKeyScope } from "@/db/schema";
import { writeAudit, type AuditActor, type RequestMeta } from "@/lib/audit";
import { Forbidden, InvalidInput, NotFound, Unauthenticated } from "@/lib/errors";

/** `cl_` marks the string as a Closeline key for secret scanners; the rest is 256 random bits. */
const KEY_PREFIX = "cl_";

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

export interface AuthenticatedKey {
  id: string;
  name: string;
  scopes: ApiKeyScope[];
}

export function parseScopes(input: string | string[]): ApiKeyScope[] {
  const list = (Array.isArray(input) ? input : input.split(","))
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = list.filter((s) => !(API_KEY_SCOPES as readonly string[]).includes(s));
  if (unknown.length > 0 || list.length === 0) {
    throw new InvalidInput(`Scopes must be a non-empty subset of ${API_KEY_SCOPES.join(", ")}`);
  }
  return [...new Set(list)] as ApiKeyScope[];
}

export async function createApiKey(
  db: Db,
  input: { name: string; scopes: ApiKeyScope[]; createdBy?: string | null },
  actor: AuditActor,
  meta?: RequestMeta,
): Promise<{ id: string; key: string; prefix: string }> {
  const name = input.name.trim();
  if (!name || name.length > 100) throw new InvalidInput("Name must be 1 to 100 characters");
  const key = KEY_PREFIX + randomBytes(32).toString("base64url");
  const prefix = key.slice(0, 10);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(apiKeys)
      .values({
        name,
        prefix,
        keyHash: hashApiKey(key),
        scopes: input.scopes,
        createdBy: input.createdBy ?? null,
      })
      .returning({ id: apiKeys.id });
    await writeAudit(tx, {
      actor,
      action: "api_key.created",
      target: { type: "api_key", id: row!.id },
      after: { name, prefix, scopes: input.scopes },
      meta,
    });
    return { id: row!.id, key, prefix };
  });
}

export async function revokeApiKey(
  db: Db,
  id: string,
  actor: AuditActor,
  meta?: RequestMeta,
): Promise<void> {
  await db.transaction(async (tx) => {
    const [row] = await tx
      .update(apiKeys)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
      .returning({ id: apiKeys.id, name: apiKeys.name, prefix: apiKeys.prefix });
    if (!row) throw new NotFound("No active API key with that id");
    await writeAudit(tx, {
      actor,
      action: "api_key.revoked",
      target: { type: "api_key", id },
      before: { name: row.name, prefix: row.prefix },
      meta,
    });
  });
}

export async function listApiKeys(db: Db) {
  return db
    .select({
      id: apiKeys.id,
      name: apiKeys.name,
      prefix: apiKeys.prefix,
      scopes: apiKeys.scopes,
      createdAt: apiKeys.createdAt,
      lastUsedAt: apiKeys.lastUsedAt,
      revokedAt: apiKeys.revokedAt,
    })
    .from(apiKeys)
    .orderBy(desc(apiKeys.createdAt));
}

export function bearerToken(request: Request): string | null {
  const header = request.headers.get("authorization");
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1] ?? null;
}

/**
 * Resolves the request's API key and checks its scope: no key or an unknown or revoked key
 * is 401, a valid key without the scope is 403.
 */
export async function authenticateApiKey(
  db: Db,
  request: Request,
  scope: ApiKeyScope,
): Promise<AuthenticatedKey> {
  const token = bearerToken(request);
  if (!token) throw new Unauthenticated("Send an API key as 'Authorization: Bearer <key>'");
  const [row] = await db
    .select({ id: apiKeys.id, name: apiKeys.name, scopes: apiKeys.scopes })
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, hashApiKey(token)), isNull(apiKeys.revokedAt)))
    .limit(1);
  if (!row) throw new Unauthenticated("The API key is unknown or revoked");
  if (!row.scopes.includes(scope)) throw new Forbidden(`The API key lacks the '${scope}' scope`);
  await touchLastUsed(db, row.id);
  return { id: row.id, name: row.name, scopes: row.scopes as ApiKeyScope[] };
}

/**
 * Records use at most once a minute per key: a write per request would make every concurrent
 * batch of one key queue on the same row.
 */
async function touchLastUsed(db: Db, id: string): Promise<void> {
  await db
    .update(apiKeys)
    .set({ lastUsedAt: sql`now()` })
    .where(
      and(
        eq(apiKeys.id, id),
        or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, sql`now() - interval '1 minute'`)),
      ),
    );
}
