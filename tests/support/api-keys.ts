import { randomUUID } from "node:crypto";
import { beforeAll } from "vitest";
import type { ApiKeyScope } from "@/db/schema";
import { SYSTEM_ACTOR } from "@/lib/audit";
import { createApiKey } from "@/lib/auth/api-keys";
import type { Db } from "@/db/client";
import { testDbForSuite } from "./db";

/** Whatever holds a test file's database once its hooks ran (testDbForSuite's answer). */
type FileDb = { readonly db: Db };

/** A new API key with `scopes` (its name made unique by a suffix): the bearer token to send. */
export async function newApiKey(
  db: Db,
  scopes: ApiKeyScope[],
  label = "test key",
): Promise<string> {
  const name = `${label} ${randomUUID().slice(0, 8)}`;
  return (await createApiKey(db, { name, scopes }, SYSTEM_ACTOR)).key;
}

/**
 * The API keys a test file sends, one a role, made in a `beforeAll` registered here (so after
 * the file's database and before the hooks that follow): `keys.reader` once that hook ran.
 */
export function apiKeysFor<Role extends string>(
  file: FileDb,
  scopesByRole: Record<Role, ApiKeyScope[]>,
): Readonly<Record<Role, string>> {
  const keys = {} as Record<Role, string>;
  beforeAll(async () => {
    for (const role of Object.keys(scopesByRole) as Role[]) {
      keys[role] = await newApiKey(file.db, scopesByRole[role], role);
    }
  });
  return keys;
}

/** A test file's database (as testDbForSuite's) and its API keys, one a role (apiKeysFor). */
export function suiteWithKeys<Role extends string>(scopesByRole: Record<Role, ApiKeyScope[]>) {
  const t = testDbForSuite();
  return { t, keys: apiKeysFor(t, scopesByRole) };
}
