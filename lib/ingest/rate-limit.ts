import { RateLimited } from "@/lib/errors";

/*
 * Ingestion requests per API key, as a token bucket in this process's memory: a key may
 * burst to `burst` requests and is refilled at `perSecond`. A key that floods gets a cheap
 * 429 with Retry-After before its body is read, so it cannot take the server's time from
 * other keys. With several app instances each enforces the limit on its own share of the
 * traffic, so the fleet allows instances × limit; that bounds abuse, which is the aim, and
 * needs no shared state on the hot path.
 */

export interface RateLimit {
  perSecond: number;
  burst: number;
}

interface Bucket {
  tokens: number;
  refilledAt: number;
}

export class KeyRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limit: RateLimit,
    // Read through Date at each call (not Date.now captured once), so a test can hold time.
    private readonly clock: () => number = () => Date.now(),
  ) {}

  /** Takes one request's token for `key`, or throws RateLimited saying when to come back. */
  take(key: string): void {
    const now = this.clock();
    const bucket = this.buckets.get(key) ?? { tokens: this.limit.burst, refilledAt: now };
    const refilled = Math.min(
      this.limit.burst,
      bucket.tokens + ((now - bucket.refilledAt) / 1000) * this.limit.perSecond,
    );
    if (refilled < 1) {
      this.buckets.set(key, { tokens: refilled, refilledAt: now });
      const waitSeconds = Math.max(1, Math.ceil((1 - refilled) / this.limit.perSecond));
      throw new RateLimited(
        `This caller sends more than ${this.limit.perSecond} requests per second; retry after ${waitSeconds} s`,
        waitSeconds,
      );
    }
    this.buckets.set(key, { tokens: refilled - 1, refilledAt: now });
    if (this.buckets.size > 10_000) this.forgetIdle(now);
  }

  /** Full buckets carry no information; dropping them keeps memory bounded. */
  private forgetIdle(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (
        bucket.tokens + ((now - bucket.refilledAt) / 1000) * this.limit.perSecond >=
        this.limit.burst
      ) {
        this.buckets.delete(key);
      }
    }
  }
}
