import { z } from "zod";
import type { Db } from "@/db/client";
import {
  createApiKey,
  createPersonalToken,
  listApiKeys,
  parseScopes,
  revokeApiKey,
} from "@/lib/auth/api-keys";
import { findUserByEmail } from "@/lib/auth/users";
import { CLI_ACTOR } from "@/lib/audit";
import { Conflict, InvalidInput, NotFound } from "@/lib/errors";
import { type Command, UsageError, stringValue } from "./command";
import { formatTime } from "./output";

const create: Command = {
  name: "api-key create",
  usage: "--name N (--scopes ingest,read,work | --user EMAIL [--expires-days D])",
  summary:
    "Create a service key with scopes, or a personal token acting as a user; it is printed once, alone on the last line",
  options: {
    name: { type: "string" },
    scopes: { type: "string" },
    user: { type: "string" },
    "expires-days": { type: "string" },
  },
  required: ["name"],
  async run({ getDb, out }, args) {
    const name = stringValue(args, "name");
    const email = args.values.user === undefined ? null : stringValue(args, "user");
    if (email !== null) {
      if (args.values.scopes !== undefined)
        throw new UsageError("A personal token acts with its user's role; it takes no --scopes");
      const db = await getDb();
      const user = await findUserByEmail(db, email);
      if (!user) throw new NotFound(`No user with email ${email.trim().toLowerCase()}`);
      const days =
        args.values["expires-days"] === undefined
          ? null
          : Number(stringValue(args, "expires-days"));
      if (days !== null && !(Number.isInteger(days) && days > 0))
        throw new InvalidInput("--expires-days must be a whole number of days above 0");
      const expiresAt = days === null ? null : new Date(Date.now() + days * 86_400_000);
      const token = await createPersonalToken(db, { userId: user.id, name, expiresAt }, CLI_ACTOR);
      out.line(
        `Created personal token "${name.trim()}" for ${user.email}, acting with their role ${user.role} (id ${token.id}, prefix ${token.prefix}, ${expiresAt ? `expires ${expiresAt.toISOString()}` : "no expiry"}).`,
      );
      out.line("Copy it now: Closeline keeps only a hash of it and cannot show it again.");
      out.line(token.key);
      return;
    }
    if (args.values.scopes === undefined)
      throw new UsageError("Missing --scopes (or --user EMAIL for a personal token)");
    const scopes = parseScopes(stringValue(args, "scopes"));
    const key = await createApiKey(await getDb(), { name, scopes }, CLI_ACTOR);
    out.line(
      `Created API key "${name.trim()}" with scopes ${scopes.join(", ")} (id ${key.id}, prefix ${key.prefix}).`,
    );
    out.line("Copy it now: Closeline keeps only a hash of it and cannot show it again.");
    // Last and alone, so a script can take it with `tail -n 1`.
    out.line(key.key);
  },
};

const revoke: Command = {
  name: "api-key revoke",
  usage: "<id-or-prefix>",
  summary: "Revoke a key, named by its id or its prefix (see api-key list)",
  positionals: ["id-or-prefix"],
  async run({ getDb, out }, args) {
    const db = await getDb();
    const key = await resolveActiveKey(db, args.positionals[0]!.trim());
    await revokeApiKey(db, key.id, CLI_ACTOR);
    out.line(
      `Revoked API key "${key.name}" (prefix ${key.prefix}, id ${key.id}); requests with it now get 401.`,
    );
  },
};

const list: Command = {
  name: "api-key list",
  summary: "List keys with their scopes, last use and status",
  async run({ getDb, out }) {
    const keys = await listApiKeys(await getDb());
    out.table(
      ["ID", "NAME", "PREFIX", "SCOPES", "CREATED", "LAST USED", "STATUS"],
      keys.map((k) => [
        k.id,
        k.name,
        k.prefix,
        k.scopes.join(","),
        formatTime(k.createdAt),
        formatTime(k.lastUsedAt),
        k.revokedAt ? `revoked ${formatTime(k.revokedAt)}` : "active",
      ]),
      "No API keys yet. Create one with: npm run closeline -- api-key create --name N --scopes ingest",
    );
  },
};

/** Every key starts with `cl_`; a prefix must say more than that to name a key. */
const MIN_PREFIX_LENGTH = 7;

/**
 * Operators copy a key's id or its prefix from `api-key list`, or hold the leaked key itself;
 * all three name one key. A prefix shared by two active keys is refused rather than guessed.
 */
async function resolveActiveKey(db: Db, ref: string) {
  const isId = z.uuid().safeParse(ref).success;
  if (!isId && ref.length < MIN_PREFIX_LENGTH) {
    throw new InvalidInput(
      `"${ref}" is too short to name a key: give its id or at least ${MIN_PREFIX_LENGTH} characters of its prefix`,
    );
  }
  const keys = await listApiKeys(db);
  const matches = isId
    ? keys.filter((k) => k.id === ref)
    : keys.filter((k) => k.prefix.startsWith(ref) || ref.startsWith(k.prefix));
  const active = matches.filter((k) => !k.revokedAt);
  if (active.length === 1) return active[0]!;
  if (active.length > 1) {
    throw new Conflict(
      `"${ref}" matches ${active.length} active keys (${active.map((k) => `${k.name}: ${k.id}`).join(", ")}); give the id`,
    );
  }
  if (matches.length > 0) {
    throw new NotFound(
      `The API key "${matches[0]!.name}" (${matches[0]!.prefix}) is already revoked`,
    );
  }
  throw new NotFound(`No API key has the id or prefix "${ref}"; see api-key list`);
}

export const apiKeyCommands = [create, revoke, list];
