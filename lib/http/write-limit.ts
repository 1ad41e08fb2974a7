import type { Principal } from "@/lib/auth/session";
import { KeyRateLimiter, type RateLimit } from "@/lib/ingest/rate-limit";

/*
 * Writes through the work API per caller: a person (all their tokens and their session
 * share one bucket, so a second token buys no second allowance) or a service key. Generous
 * for a script working a queue, tight enough that a runaway loop gets 429 with Retry-After
 * long before it floods the audit log. In memory per instance, like ingestion's limit.
 */

export const WRITE_RATE: RateLimit = { perSecond: 10, burst: 100 };

export function writeLimitKey(principal: Principal): string {
  return principal.kind === "api_key" ? `key:${principal.key.id}` : `user:${principal.user.id}`;
}

export class WriteLimiter {
  private readonly buckets: KeyRateLimiter;

  constructor(limit: RateLimit = WRITE_RATE, clock?: () => number) {
    this.buckets = new KeyRateLimiter(limit, clock);
  }

  take(principal: Principal): void {
    this.buckets.take(writeLimitKey(principal));
  }
}

export const writeLimiter = new WriteLimiter();
