import { inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDb, type DbHandle } from "@/db/client";
import { outboxCommands } from "@/db/schema";
import { startOutboxDispatcher } from "@/lib/outbox/dispatcher";
import { TEST_ENGINE, testDbForSuite } from "../support/db";
import { FAST, enqueueRetries, sleep, startRegisteredReceiver, type TestReceiver } from "./support";

/*
 * Two app instances on one PostgreSQL database, each with its own connection pool and its
 * own dispatcher loop: every command is delivered exactly once to a receiver that answers
 * 2xx, and both instances take part. (PGlite is one process by nature, so this runs on
 * PostgreSQL only.)
 */

const t = testDbForSuite();
let second: DbHandle;
let receiver: TestReceiver;

beforeAll(async () => {
  if (TEST_ENGINE === "postgres") second = await openDb({ kind: "postgres", url: t.url! });
  ({ receiver } = await startRegisteredReceiver(t.db));
});

afterAll(async () => {
  await receiver?.close();
  await second?.close();
});

describe.skipIf(TEST_ENGINE !== "postgres")("two dispatchers on one database", () => {
  it("deliver each command once between them", async () => {
    receiver.maxDelayMs = 30;
    const ids = await enqueueRetries(t.db, 60, "two");
    const sent = { a: 0, b: 0 };
    const counting =
      (name: "a" | "b"): typeof fetch =>
      (input, init) => {
        sent[name]++;
        return fetch(input, init);
      };
    const options = { ...FAST, batchSize: 5, pollMs: 5 };
    const stopA = startOutboxDispatcher(t.db, { ...options, fetch: counting("a") });
    const stopB = startOutboxDispatcher(second.db, { ...options, fetch: counting("b") });
    try {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const rows = await t.db
          .select({ status: outboxCommands.status })
          .from(outboxCommands)
          .where(inArray(outboxCommands.id, ids));
        if (rows.every((r) => r.status === "delivered")) break;
        if (Date.now() > deadline) throw new Error("not all commands were delivered in time");
        await sleep(50);
      }
    } finally {
      await Promise.all([stopA(), stopB()]);
    }
    expect(receiver.deliveries).toHaveLength(60);
    expect(new Set(receiver.deliveries.map((d) => d.id))).toEqual(new Set(ids));
    expect([...receiver.acknowledged.values()].every((n) => n === 1)).toBe(true);
    expect(sent.a + sent.b).toBe(60);
    expect(sent.a).toBeGreaterThan(0);
    expect(sent.b).toBeGreaterThan(0);
  }, 90_000);
});
