import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { exceptionComments, exceptions } from "@/db/schema";
import { RateLimited } from "@/lib/errors";
import { handleBulk, handleExceptionAction } from "@/lib/exceptions/api";
import { WriteLimiter } from "@/lib/http/write-limit";
import { makeUser, seedException } from "../exceptions/support";
import { makeEndpoint } from "../outbox/support";
import { testDbForSuite } from "../support/db";
import { answer, apiRequest, failedPosting, serviceKey, tokenFor } from "./support";
import type { CallOptions, ErrorBody } from "./support";

/*
 * Idempotency-Key with Stripe's semantics, and POST /api/v1/exceptions/bulk with one result
 * per item, through the handlers the routes use, against a real database.
 */

vi.mock("next-auth", async () => (await import("../support/no-session")).withoutSession());

type BulkBody = {
  succeeded: number;
  failed: number;
  results: {
    id: string;
    ok: boolean;
    code?: string;
    error?: string;
    version?: number;
    outcome?: string;
  }[];
};

const t = testDbForSuite();
let ops: Awaited<ReturnType<typeof makeUser>>;
let token: string;
let otherToken: string;
let worker: Awaited<ReturnType<typeof serviceKey>>;

beforeAll(async () => {
  ops = await makeUser(t.db, "operations");
  token = (await tokenFor(t.db, ops.id)).key;
  otherToken = (await tokenFor(t.db, (await makeUser(t.db, "finance")).id)).key;
  worker = await serviceKey(t.db, ["work"]);
  await makeEndpoint(t.db, "https://erp.example.test/closeline", ["erp.posting.retry"]);
});

function comment(id: string, options: CallOptions) {
  const request = apiRequest("POST", `/api/v1/exceptions/${id}/comments`, { token, ...options });
  return answer<{ comment?: { id: number }; exception: { version: number } } & Partial<ErrorBody>>(
    handleExceptionAction(t.db, request, id, "comments"),
    "POST /api/v1/exceptions/{id}/comments",
  );
}

const bulk = (body: unknown, options: CallOptions = {}) =>
  answer<BulkBody & Partial<ErrorBody>>(
    handleBulk(t.db, apiRequest("POST", "/api/v1/exceptions/bulk", { token, body, ...options })),
    "POST /api/v1/exceptions/bulk",
  );

const commentsOf = (id: string) =>
  t.db.select().from(exceptionComments).where(eq(exceptionComments.exceptionId, id));

describe("Idempotency-Key", () => {
  it("answers a repeat with the first answer, acting once", async () => {
    const x = await seedException(t.db);
    const key = { "idempotency-key": `comment-${x.id}` };
    const first = await comment(x.id, { body: { body: "Once" }, headers: key });
    const again = await comment(x.id, { body: { body: "Once" }, headers: key });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    expect(await commentsOf(x.id)).toHaveLength(1);
  });

  it("refuses the same key with a different request (422), and keeps keys apart per caller", async () => {
    const x = await seedException(t.db);
    const key = { "idempotency-key": `k-${x.id}` };
    await comment(x.id, { body: { body: "First" }, headers: key });
    const other = await comment(x.id, { body: { body: "Second" }, headers: key });
    expect(other.status).toBe(422);
    expect(other.body.error?.code).toBe("unprocessable");
    const someoneElse = await comment(x.id, {
      token: otherToken,
      body: { body: "Second" },
      headers: key,
    });
    expect(someoneElse.status).toBe(201);
    expect(await commentsOf(x.id)).toHaveLength(2);
  });

  it("replays a refusal too, and a bad key is 400", async () => {
    const x = await seedException(t.db, { status: "resolved" });
    const key = { "idempotency-key": `start-${x.id}` };
    const start = (headers: Record<string, string>) =>
      answer<ErrorBody>(
        handleExceptionAction(
          t.db,
          apiRequest("POST", `/api/v1/exceptions/${x.id}/start`, { token, headers }),
          x.id,
          "start",
        ),
        "POST /api/v1/exceptions/{id}/start",
      );
    const first = await start(key);
    expect(first.status).toBe(409);
    const again = await start(key);
    expect(again.status).toBe(409);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect((await start({ "idempotency-key": "x".repeat(256) })).status).toBe(400);
  });
});

describe("POST /api/v1/exceptions/bulk", () => {
  it("resolves each exception it can, with one result per id, in order", async () => {
    const open = await seedException(t.db);
    const closed = await seedException(t.db, { status: "dismissed" });
    const unknown = "00000000-0000-4000-8000-000000000000";
    const res = await bulk({
      action: "resolve",
      ids: [open.id, closed.id, unknown, "not-an-id", open.id],
      reason: "duplicate",
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ succeeded: 1, failed: 3 });
    expect(res.body.results).toEqual([
      { id: open.id, ok: true, version: 2, changed: true },
      expect.objectContaining({ id: closed.id, ok: false, code: "conflict" }),
      expect.objectContaining({ id: unknown, ok: false, code: "not_found" }),
      expect.objectContaining({ id: "not-an-id", ok: false, code: "not_found" }),
    ]);
    const [after] = await t.db.select().from(exceptions).where(eq(exceptions.id, open.id));
    expect(after).toMatchObject({ status: "resolved", resolutionCode: "duplicate" });
  });

  it("assigns by email, dismisses with a note, retries postings; refuses a bad request whole", async () => {
    const a = await seedException(t.db);
    const assigned = await bulk({ action: "assign", ids: [a.id], assignee: ops.email });
    expect(assigned.body.results[0]).toMatchObject({ ok: true, version: 2 });

    const posting = await failedPosting(t.db);
    const retried = await bulk({ action: "retry", ids: [posting.id, a.id] }, { token: worker.key });
    expect(retried.body.results).toEqual([
      { id: posting.id, ok: true, outcome: "requested" },
      expect.objectContaining({ id: a.id, ok: false, code: "refused" }),
    ]);

    const noNote = await bulk({ action: "dismiss", ids: [a.id], reason: "duplicate" });
    expect(noNote.status).toBe(400);
    const tooMany = await bulk({ action: "retry", ids: Array.from({ length: 501 }, () => a.id) });
    expect(tooMany.status).toBe(400);
    const dismissed = await bulk({
      action: "dismiss",
      ids: [a.id],
      reason: "duplicate",
      note: "Reported twice",
    });
    expect(dismissed.body).toMatchObject({ succeeded: 1, failed: 0 });
  });
});

describe("the write limit", () => {
  it("counts a person across their tokens and session, a service key on its own", () => {
    let now = 0;
    const limiter = new WriteLimiter({ perSecond: 1, burst: 2 }, () => now);
    const person = { id: "u1", email: "a@example.test", name: null, role: "finance" as const };
    limiter.take({ kind: "user", user: person, viaToken: "one" });
    limiter.take({ kind: "user", user: person, viaToken: "two" });
    expect(() => limiter.take({ kind: "user", user: person })).toThrow(RateLimited);
    limiter.take({ kind: "api_key", key: { id: "k1", name: "bot", scopes: ["work"] } });
    now = 1000;
    expect(() => limiter.take({ kind: "user", user: person })).not.toThrow();
  });
});
