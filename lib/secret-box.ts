import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { env } from "@/lib/env";
import { parseKeyring, type SecretKey } from "@/lib/secret-keyring";

export type { SecretKey };

/*
 * Secrets Closeline must be able to read back (webhook signing secrets: it signs with them)
 * are stored sealed with AES-256-GCM, so a copy of the database or a backup does not hand
 * them out. The key comes from a setting:
 *   CLOSELINE_SECRET_KEYS  "id:base64-of-32-bytes[,id:key…]": the first seals, every one opens.
 * Unset, one key is derived from AUTH_SECRET (HKDF-SHA256), so an install works as it is.
 * Rotation (docs/authentication.md): put a new key first, keep the old ones after it, restart:
 * the server reseals every stored secret with the new key at start; then drop the old keys.
 * A sealed value names its key: "sealed:v1:<key id>:<iv>:<tag>:<ciphertext>" (base64url).
 */

const PREFIX = "sealed:v1:";

let defaultKeyring: SecretKey[] | null = null;
const keyringFromEnv = () =>
  (defaultKeyring ??= parseKeyring({
    CLOSELINE_SECRET_KEYS: env.CLOSELINE_SECRET_KEYS,
    AUTH_SECRET: env.AUTH_SECRET,
    NODE_ENV: env.NODE_ENV,
  }));

/**
 * Seals `plaintext` for one purpose: a value sealed for one column does not open as
 * another's (the purpose is authenticated data).
 */
export function seal(plaintext: string, purpose: string, keyring?: SecretKey[]): string {
  keyring ??= keyringFromEnv();
  const current = keyring[0]!;
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", current.key, iv);
  cipher.setAAD(Buffer.from(purpose, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const parts = [iv, cipher.getAuthTag(), ciphertext].map((b) => b.toString("base64url"));
  return `${PREFIX}${current.id}:${parts.join(":")}`;
}

export class UnreadableSecret extends Error {}

/**
 * The plaintext of a sealed value. A value stored before sealing existed (no prefix) is
 * returned as it is, until the start-up reseal replaces it.
 */
export function open(stored: string, purpose: string, keyring?: SecretKey[]): string {
  if (!stored.startsWith(PREFIX)) return stored;
  const [keyId, iv, tag, ciphertext] = stored.slice(PREFIX.length).split(":");
  const key = (keyring ?? keyringFromEnv()).find((k) => k.id === keyId);
  if (!key || !iv || !tag || ciphertext === undefined) {
    throw new UnreadableSecret(`No key "${keyId}" in CLOSELINE_SECRET_KEYS opens this secret`);
  }
  try {
    const decipher = createDecipheriv("aes-256-gcm", key.key, Buffer.from(iv, "base64url"));
    decipher.setAAD(Buffer.from(purpose, "utf8"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([
      decipher.update(Buffer.from(ciphertext, "base64url")),
      decipher.final(),
    ]).toString("utf8");
  } catch {
    throw new UnreadableSecret(`The secret does not open with key "${keyId}"`);
  }
}

/** True when a stored value is plaintext or sealed with a key other than the current one. */
export function needsResealing(stored: string, keyring?: SecretKey[]): boolean {
  return !stored.startsWith(`${PREFIX}${(keyring ?? keyringFromEnv())[0]!.id}:`);
}
