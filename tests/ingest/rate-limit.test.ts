import { expect, test } from "vitest";
import { RateLimited } from "@/lib/errors";
import { KeyRateLimiter } from "@/lib/ingest/rate-limit";

function limiterAt(start = 0) {
  let now = start;
  const limiter = new KeyRateLimiter({ perSecond: 10, burst: 20 }, () => now);
  return { limiter, advance: (ms: number) => (now += ms) };
}

test("a key may burst, then is refused with a Retry-After until tokens refill", () => {
  const { limiter, advance } = limiterAt();
  for (let i = 0; i < 20; i++) limiter.take("a");
  let refusal: unknown;
  try {
    limiter.take("a");
  } catch (error) {
    refusal = error;
  }
  expect(refusal).toBeInstanceOf(RateLimited);
  expect((refusal as RateLimited).retryAfterSeconds).toBe(1);
  advance(100); // one token at 10/s
  expect(() => limiter.take("a")).not.toThrow();
  expect(() => limiter.take("a")).toThrow(RateLimited);
});

test("one key's flood does not touch another key's budget", () => {
  const { limiter } = limiterAt();
  for (let i = 0; i < 20; i++) limiter.take("flood");
  for (let i = 0; i < 100; i++) expect(() => limiter.take("flood")).toThrow(RateLimited);
  for (let i = 0; i < 20; i++) expect(() => limiter.take("quiet")).not.toThrow();
});

test("the sustained rate is the configured one", () => {
  const { limiter, advance } = limiterAt();
  let accepted = 0;
  // Ten seconds of trying every millisecond.
  for (let ms = 0; ms < 10_000; ms++) {
    try {
      limiter.take("k");
      accepted++;
    } catch {
      // refused
    }
    advance(1);
  }
  // The burst of 20 plus 10 per second for 10 seconds.
  expect(accepted).toBeGreaterThanOrEqual(119);
  expect(accepted).toBeLessThanOrEqual(121);
});

test("POST /api/v1/events answers 429 with Retry-After once a key's burst is spent", async () => {
  // Before anything imports lib/env: this file's module registry is its own.
  process.env.CLOSELINE_INGEST_BURST_PER_KEY = "3";
  process.env.CLOSELINE_INGEST_RATE_PER_KEY = "0.01";
  const { createTestDb } = await import("../support/db");
  const { createApiKey } = await import("@/lib/auth/api-keys");
  const { CLI_ACTOR } = await import("@/lib/audit");
  const { handleIngest } = await import("@/lib/ingest/http");
  const t = await createTestDb();
  try {
    const flood = await createApiKey(t.db, { name: "flood", scopes: ["ingest"] }, CLI_ACTOR);
    const other = await createApiKey(t.db, { name: "other", scopes: ["ingest"] }, CLI_ACTOR);
    const send = (key: string, id: string) =>
      handleIngest(
        t.db,
        new Request("http://localhost/api/v1/events", {
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body: JSON.stringify({
            specversion: "1.0",
            id,
            source: "urn:test:rate",
            type: "invoice.disputed",
            time: "2026-11-01T00:00:00Z",
            data: { invoiceId: "INV-1", reason: "test" },
          }),
        }),
      );
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await send(flood.key, `f${i}`)).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const refused = await send(flood.key, "f-last");
    expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(await refused.json()).toMatchObject({ error: { code: "rate_limited" } });
    expect((await send(other.key, "o1")).status).toBe(200);
  } finally {
    await t.close();
  }
});
