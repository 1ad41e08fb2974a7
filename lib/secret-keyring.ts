import { hkdfSync } from "node:crypto";

/*
 * The keys that seal stored secrets (lib/secret-box.ts), read from CLOSELINE_SECRET_KEYS or
 * derived from AUTH_SECRET. Apart from the box so that lib/env.ts can check the setting
 * while the box reads the parsed environment.
 */

export interface SecretKey {
  id: string;
  key: Buffer;
}

/** A development-only stand-in, never used in production (startup requires AUTH_SECRET there). */
const DEVELOPMENT_SECRET = "closeline-development-only-not-a-secret";

export function parseKeyring(source: Record<string, string | undefined>): SecretKey[] {
  const listed = (source.CLOSELINE_SECRET_KEYS ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const separator = entry.indexOf(":");
      const id = entry.slice(0, separator);
      const key = Buffer.from(entry.slice(separator + 1), "base64");
      if (separator < 1 || !/^[A-Za-z0-9_-]{1,32}$/.test(id) || key.length !== 32) {
        throw new Error(
          "CLOSELINE_SECRET_KEYS: each entry must be id:key, the key 32 bytes in base64 (openssl rand -base64 32)",
        );
      }
      return { id, key };
    });
  if (listed.length > 0) return listed;
  const authSecret =
    source.AUTH_SECRET ?? (source.NODE_ENV === "production" ? undefined : DEVELOPMENT_SECRET);
  if (!authSecret) throw new Error("Set CLOSELINE_SECRET_KEYS or AUTH_SECRET to seal secrets");
  const key = Buffer.from(hkdfSync("sha256", authSecret, "closeline", "secret-box v1", 32));
  return [{ id: "auth", key }];
}
