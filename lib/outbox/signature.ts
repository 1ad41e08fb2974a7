import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/*
 * Standard Webhooks signing (https://www.standardwebhooks.com): the signature is
 * base64(HMAC-SHA256(key, `${webhook-id}.${webhook-timestamp}.${body}`)) where the key is
 * the base64 part of a `whsec_` secret, sent as `webhook-signature: v1,<signature>`. Small
 * enough to own; tests/outbox checks it against the reference verifier.
 */

const SECRET_PREFIX = "whsec_";
/** How far a receiver lets a timestamp drift from its clock, as the reference libraries do. */
export const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

export function generateWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString("base64");
}

function secretKey(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const key = Buffer.from(encoded, "base64");
  if (key.length < 16) throw new Error("A webhook secret must hold at least 16 bytes");
  return key;
}

export function signWebhook(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: string,
): string {
  const mac = createHmac("sha256", secretKey(secret))
    .update(`${id}.${timestampSeconds}.${body}`, "utf8")
    .digest("base64");
  return `v1,${mac}`;
}

/** The three headers of one delivery; `id` stays the same on every attempt of a command. */
export function webhookHeaders(
  secret: string,
  id: string,
  body: string,
  now: Date = new Date(),
): Record<"webhook-id" | "webhook-timestamp" | "webhook-signature", string> {
  const timestamp = Math.floor(now.getTime() / 1000);
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": signWebhook(secret, id, timestamp, body),
  };
}

export class WebhookVerificationError extends Error {
  override name = "WebhookVerificationError";
}

type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function header(headers: HeaderSource, name: string): string | null {
  if (headers instanceof Headers) return headers.get(name);
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

/**
 * The receiver's side: checks the signature (any of the space-separated `v1,` entries, so a
 * sender can rotate secrets) and that the timestamp is recent, against replays. Returns the
 * webhook id, which a receiver uses to drop a delivery it has seen.
 */
export function verifyWebhook(
  secret: string,
  headers: HeaderSource,
  body: string,
  options: { now?: Date; toleranceSeconds?: number } = {},
): { id: string; timestamp: number } {
  const id = header(headers, "webhook-id");
  const timestampText = header(headers, "webhook-timestamp");
  const signatures = header(headers, "webhook-signature");
  if (!id || !timestampText || !signatures)
    throw new WebhookVerificationError("Missing webhook headers");
  const timestamp = Number(timestampText);
  if (!Number.isInteger(timestamp)) throw new WebhookVerificationError("Invalid webhook-timestamp");
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (Math.abs(now - timestamp) > tolerance)
    throw new WebhookVerificationError("webhook-timestamp too old or too new");

  const expected = Buffer.from(signWebhook(secret, id, timestamp, body).slice(3), "base64");
  const matches = signatures.split(" ").some((entry) => {
    const [version, signature] = entry.split(",", 2);
    if (version !== "v1" || !signature) return false;
    const given = Buffer.from(signature, "base64");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!matches) throw new WebhookVerificationError("No matching signature");
  return { id, timestamp };
}
