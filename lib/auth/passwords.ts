import { createHmac, randomBytes } from "node:crypto";
import bcrypt from "bcryptjs";
import { z } from "zod";

/** ASVS 2.4.4 / OWASP: bcrypt with a work factor of at least 10; 12 costs ~0.3 s here. */
export const BCRYPT_COST = 12;

/**
 * ASVS 2.1.1 and 2.1.2: at least 12 characters, and at least 64 allowed (we allow 128).
 * No composition rules (ASVS 2.1.9): length is what makes a password strong.
 */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;

export const PasswordSchema = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `must be at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(PASSWORD_MAX_LENGTH, `must be at most ${PASSWORD_MAX_LENGTH} characters`);

/**
 * bcrypt reads only the first 72 bytes of its input, and a 128-character passphrase can be
 * up to 512 bytes of UTF-8: without this step two long passwords sharing a prefix would be
 * the same password. So bcrypt gets a fixed-length digest of the whole password instead
 * (passlib's bcrypt_sha256 does the same). HMAC with a Closeline-specific key rather than a
 * bare SHA-256, so a leaked list of unsalted SHA-256 hashes cannot be tried against our
 * hashes directly; base64 because bcrypt stops at a NUL byte. NFC so the same password typed
 * on two systems that compose accents differently is the same password.
 */
function bcryptInput(password: string): string {
  return createHmac("sha256", "closeline/password/v1")
    .update(password.normalize("NFC"), "utf8")
    .digest("base64");
}

export async function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(bcryptInput(password), BCRYPT_COST);
}

/**
 * A valid hash of a password nobody knows, so that checking a user without one takes as long.
 * Made on first use: hashing at import would add 0.3 s to every process that loads this file.
 */
let unknowableHash: Promise<string> | undefined;
function getUnknowableHash(): Promise<string> {
  unknowableHash ??= bcrypt.hash(randomBytes(32).toString("base64"), BCRYPT_COST);
  return unknowableHash;
}

/**
 * True when `password` matches `hash`. With no hash (unknown user, or a user who has never
 * had a password) it still spends one bcrypt comparison and answers false, so the response
 * time does not tell an attacker which email addresses exist.
 */
export async function verifyPassword(password: string, hash: string | null): Promise<boolean> {
  const matches = await bcrypt.compare(bcryptInput(password), hash ?? (await getUnknowableHash()));
  return hash !== null && matches;
}

/** 144 random bits in 24 URL-safe characters: within the policy, and easy to paste. */
export function generatePassword(): string {
  return randomBytes(18).toString("base64url");
}
