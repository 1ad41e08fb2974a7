import { createHash, randomBytes } from "node:crypto";
import type { Db } from "@/db/client";
import {
  findLiveKeyByHash,
  insertApiKey,
  listPersonalTokenRows,
  listServiceKeys,
  revokePersonalTokenRow,
  revokeServiceKey,
  touchKeyLastUsed,
} from "@/db/queries/api-keys";
import { findUserProfile } from "@/db/queries/users";
import { API_KEY_SCOPES, type ApiKeyScope, type Role } from "@/db/schema";
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
    const id = await insertApiKey(tx, {
      name,
      prefix,
      keyHash: hashApiKey(key),
      scopes: input.scopes,
      createdBy: input.createdBy ?? null,
    });
    await writeAudit(tx, {
      actor,
      action: "api_key.created",
      target: { type: "api_key", id },
      after: { name, prefix, scopes: input.scopes },
      meta,
    });
    return { id, key, prefix };
  });
}

export async function revokeApiKey(
  db: Db,
  id: string,
  actor: AuditActor,
  meta?: RequestMeta,
): Promise<void> {
  await db.transaction(async (tx) => {
    const row = await revokeServiceKey(tx, id);
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
  return listServiceKeys(db);
}

export function bearerToken(request: Request): string | null {
  const header = request.headers.get("authorization");
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1] ?? null;
}

/** Who a bearer credential stands for: a service key with its scopes, or a person. */
export type Credential =
  | { kind: "service"; key: AuthenticatedKey }
  | {
      kind: "person";
      token: { id: string; name: string };
      user: { id: string; email: string; name: string | null; role: Role };
    };

/**
 * Resolves the request's bearer credential: no credential, or an unknown, revoked or expired
 * one, is 401. A personal token of a deactivated user is 401 too (deactivation revokes them,
 * and this holds even for a token that slipped through).
 */
export async function authenticateBearer(db: Db, request: Request): Promise<Credential> {
  const token = bearerToken(request);
  if (!token) throw new Unauthenticated("Send an API key as 'Authorization: Bearer <key>'");
  const row = await findLiveKeyByHash(db, hashApiKey(token));
  if (!row) throw new Unauthenticated("The API key is unknown or revoked");
  if (row.expired) throw new Unauthenticated("The token has expired");
  if (row.userId && (!row.active || !row.email || !row.role)) {
    throw new Unauthenticated("The token's user is deactivated");
  }
  await touchKeyLastUsed(db, row.id);
  if (row.userId) {
    return {
      kind: "person",
      token: { id: row.id, name: row.name },
      user: { id: row.userId, email: row.email!, name: row.userName ?? null, role: row.role! },
    };
  }
  return {
    kind: "service",
    key: { id: row.id, name: row.name, scopes: row.scopes as ApiKeyScope[] },
  };
}

/**
 * Resolves the request's service key and checks its scope: no key or an unknown or revoked key
 * is 401, a valid key without the scope (or a personal token) is 403.
 */
export async function authenticateApiKey(
  db: Db,
  request: Request,
  scope: ApiKeyScope,
): Promise<AuthenticatedKey> {
  const credential = await authenticateBearer(db, request);
  if (credential.kind === "person") {
    throw new Forbidden(
      `This route needs a service key with the '${scope}' scope, not a personal token`,
    );
  }
  if (!credential.key.scopes.includes(scope))
    throw new Forbidden(`The API key lacks the '${scope}' scope`);
  return credential.key;
}

/** A personal token lives at most a year; "never" is left to service keys an admin watches. */
export const PERSONAL_TOKEN_MAX_DAYS = 366;

/**
 * Creates a personal token for a user: it acts as them, with their role, until revoked,
 * expired, or the user is deactivated. Only its hash is kept; the token is returned once.
 */
export async function createPersonalToken(
  db: Db,
  input: { userId: string; name: string; expiresAt?: Date | null },
  actor: AuditActor,
  meta?: RequestMeta,
): Promise<{ id: string; key: string; prefix: string }> {
  const name = input.name.trim();
  if (!name || name.length > 100) throw new InvalidInput("Name must be 1 to 100 characters");
  const expiresAt = input.expiresAt ?? null;
  if (expiresAt) {
    const days = (expiresAt.getTime() - Date.now()) / 86_400_000;
    if (!Number.isFinite(days) || days <= 0)
      throw new InvalidInput("The expiry must be in the future");
    if (days > PERSONAL_TOKEN_MAX_DAYS)
      throw new InvalidInput(`A token lasts at most ${PERSONAL_TOKEN_MAX_DAYS} days`);
  }
  const key = KEY_PREFIX + randomBytes(32).toString("base64url");
  const prefix = key.slice(0, 10);
  return db.transaction(async (tx) => {
    const user = await findUserProfile(tx, input.userId);
    if (!user) throw new NotFound("No such user");
    if (!user.active) throw new InvalidInput(`${user.email} is deactivated`);
    const id = await insertApiKey(tx, {
      name,
      prefix,
      keyHash: hashApiKey(key),
      scopes: [],
      userId: user.id,
      expiresAt,
      createdBy: actor.type === "user" ? actor.id : null,
    });
    await writeAudit(tx, {
      actor,
      action: "personal_token.created",
      target: { type: "api_key", id },
      after: { name, prefix, userId: user.id, userEmail: user.email, expiresAt },
      meta,
    });
    return { id, key, prefix };
  });
}

export interface PersonalTokenSummary {
  id: string;
  name: string;
  prefix: string;
  userId: string;
  userEmail: string;
  createdAt: Date;
  expiresAt: Date | null;
  /** Past its expiry, by the database's clock. */
  expired: boolean;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** One user's tokens, or everyone's (the admin's view) when userId is null. */
export async function listPersonalTokens(
  db: Db,
  userId: string | null,
): Promise<PersonalTokenSummary[]> {
  const rows = await listPersonalTokenRows(db, userId);
  return rows.map((r) => ({ ...r, userId: r.userId! }));
}

/**
 * Revokes a personal token: its owner may, and an admin may revoke anyone's. Someone else's
 * token is "not found" to a non-admin, so its existence is not disclosed.
 */
export async function revokePersonalToken(
  db: Db,
  id: string,
  by: { id: string; role: Role },
  actor: AuditActor,
  meta?: RequestMeta,
): Promise<void> {
  await db.transaction(async (tx) => {
    const row = await revokePersonalTokenRow(tx, id, by.role === "admin" ? undefined : by.id);
    if (!row) throw new NotFound("No active token of yours with that id");
    await writeAudit(tx, {
      actor,
      action: "personal_token.revoked",
      target: { type: "api_key", id },
      before: { name: row.name, userId: row.userId },
      meta,
    });
  });
}
