import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { auditLog, outboxCommands, rejectedEvents } from "@/db/schema";
import type { ExceptionAction } from "@/lib/contract/work-api";
import { handleExceptionAction, handleGetException } from "@/lib/exceptions/api";
import { MAX_JSON_BODY_BYTES } from "@/lib/http/json-body";
import { makeUser, seedException } from "../exceptions/support";
import { makeEndpoint } from "../outbox/support";
import { testDbForSuite } from "../support/db";
import { answer, apiRequest, failedPosting, rejectedGroup, serviceKey, tokenFor } from "./support";
import type { CallOptions, ErrorBody } from "./support";

/*
 * GET /api/v1/exceptions/{id} and every queue action over HTTP, through the handlers the
 * routes use, against a real database: the same rules as the UI (state, role, reasons),
 * versions as ETag and If-Match (412), and who acted in the audit log.
 */

// No cookie outside Next.js: every caller here uses a bearer credential.
vi.mock("next-auth", async () => (await import("../support/no-session")).withoutSession());

type ExceptionBody = {
  exception: {
    id: string;
    status: string;
    ownerId: string | null;
    ownerEmail: string | null;
    version: number;
  };
  timeline?: { items: { kind: string; body?: string; authorEmail?: string }[]; truncated: boolean };
  comment?: { id: number };
  retry?: { outcome: string; commandId: string };
  replayed?: { id: number; outcome: string }[];
  dismissed?: number;
};

const t = testDbForSuite();
let ops: Awaited<ReturnType<typeof makeUser>>;
let opsToken: { key: string; name: string };
let financeToken: { key: string; name: string };
let executiveToken: { key: string; name: string };
let adminToken: { key: string; name: string };
let worker: Awaited<ReturnType<typeof serviceKey>>;
let reader: Awaited<ReturnType<typeof serviceKey>>;

beforeAll(async () => {
  ops = await makeUser(t.db, "operations");
  opsToken = await tokenFor(t.db, ops.id, "runbook");
  financeToken = await tokenFor(t.db, (await makeUser(t.db, "finance")).id);
  executiveToken = await tokenFor(t.db, (await makeUser(t.db, "executive")).id);
  adminToken = await tokenFor(t.db, (await makeUser(t.db, "admin")).id);
  worker = await serviceKey(t.db, ["work"], "nightly-retry");
  reader = await serviceKey(t.db, ["read"]);
  // A retry is a command to the ERP connector; without a receiver it is refused (409).
  await makeEndpoint(t.db, "https://erp.example.test/closeline", ["erp.posting.retry"]);
});

const get = <T = ExceptionBody>(id: string, token: string | null = opsToken.key) =>
  answer<T>(
    handleGetException(t.db, apiRequest("GET", `/api/v1/exceptions/${id}`, { token }), id),
    "GET /api/v1/exceptions/{id}",
  );

function act<T = ExceptionBody>(id: string, action: ExceptionAction, options: CallOptions = {}) {
  const request = apiRequest("POST", `/api/v1/exceptions/${id}/${action}`, {
    token: opsToken.key,
    ...options,
  });
  return answer<T>(
    handleExceptionAction(t.db, request, id, action),
    `POST /api/v1/exceptions/{id}/${action}`,
  );
}

describe("GET /api/v1/exceptions/{id}", () => {
  it("answers the exception with its version (also as ETag) and its timeline", async () => {
    const x = await seedException(t.db);
    const res = await get(x.id);
    expect(res.status).toBe(200);
    expect(res.body.exception).toMatchObject({ id: x.id, status: "open", version: 1 });
    expect(res.body.timeline).toMatchObject({ items: expect.any(Array), truncated: false });
    expect(res.headers.get("etag")).toBe('"1"');
    expect((await get(x.id, reader.key)).status).toBe(200);
  });

  it("answers 404 for an unknown or malformed id, 401 without credentials, 403 to a role that cannot read", async () => {
    expect((await get<ErrorBody>("00000000-0000-4000-8000-000000000000")).status).toBe(404);
    const malformed = await get<ErrorBody>("not-an-id");
    expect(malformed.status).toBe(404);
    expect(malformed.body.error.code).toBe("not_found");
    const x = await seedException(t.db);
    expect((await get<ErrorBody>(x.id, null)).status).toBe(401);
    const refused = await get<ErrorBody>(x.id, executiveToken.key);
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toContain("'exceptions:read'");
    const noScope = await get<ErrorBody>(x.id, worker.key);
    expect(noScope.status).toBe(403);
    expect(noScope.body.error.message).toContain("'read' scope");
  });
});

describe("queue actions with a personal token", () => {
  it("assign, start, comment, resolve: as the person, audited 'via token'", async () => {
    const x = await seedException(t.db);
    const assigned = await act(x.id, "assign", { body: { assignee: ops.email } });
    expect(assigned.status).toBe(200);
    expect(assigned.body.exception).toMatchObject({ ownerId: ops.id, version: 2 });
    expect(assigned.headers.get("etag")).toBe('"2"');

    const started = await act(x.id, "start", { headers: { "if-match": '"2"' } });
    expect(started.status).toBe(200);
    expect(started.body.exception).toMatchObject({ status: "in_progress", version: 3 });

    const commented = await act(x.id, "comments", { body: { body: "Looking at the ERP log" } });
    expect(commented.status).toBe(201);
    expect(commented.body.comment?.id).toEqual(expect.any(Number));

    const resolved = await act(x.id, "resolve", {
      body: { reason: "fixed_in_source", note: "Reposted" },
      headers: { "if-match": '"3"' },
    });
    expect(resolved.status).toBe(200);
    expect(resolved.body.exception).toMatchObject({ status: "resolved", version: 4 });

    const timeline = (await get(x.id)).body.timeline!.items;
    expect(timeline.find((i) => i.kind === "comment")).toMatchObject({
      body: "Looking at the ERP log",
      authorEmail: ops.email,
    });
    const entries = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.targetType, "exception"), eq(auditLog.targetId, x.id)));
    expect(entries.map((e) => e.action).sort()).toEqual([
      "exception.assigned",
      "exception.commented",
      "exception.resolved",
      "exception.started",
    ]);
    for (const e of entries) {
      expect(e).toMatchObject({
        actorType: "user",
        actorId: ops.id,
        actorLabel: `${ops.email} via token runbook`,
      });
    }
  });

  it("answers 412 when If-Match names a version the exception has left, and changes nothing", async () => {
    const x = await seedException(t.db);
    await act(x.id, "assign", { body: { assignee: ops.email } });
    const stale = await act<ErrorBody>(x.id, "start", { headers: { "if-match": '"1"' } });
    expect(stale.status).toBe(412);
    expect(stale.body.error).toMatchObject({
      code: "precondition_failed",
      details: { currentVersion: 2 },
    });
    expect((await get(x.id)).body.exception).toMatchObject({ status: "open", version: 2 });
    const malformed = await act<ErrorBody>(x.id, "start", { headers: { "if-match": "yesterday" } });
    expect(malformed.status).toBe(400);
  });

  it("answers 409 with the reason when the state does not allow the action", async () => {
    const x = await seedException(t.db, { status: "resolved" });
    const res = await act<ErrorBody>(x.id, "dismiss", {
      body: { reason: "duplicate", note: "Same as the other one" },
    });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toBe(
      "Cannot dismiss an exception that is resolved; reopen it first",
    );
    const started = await seedException(t.db, { status: "in_progress" });
    expect((await act<ErrorBody>(started.id, "start")).body.error.message).toContain(
      "Cannot start an exception that is in progress",
    );
  });

  it("answers 400 for a body the action does not take, 415 for one that is not JSON, 413 for one too large", async () => {
    const x = await seedException(t.db);
    const missing = await act<ErrorBody>(x.id, "resolve", { body: { note: "no reason" } });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/^reason: /);
    const otherNote = await act<ErrorBody>(x.id, "resolve", { body: { reason: "other" } });
    expect(otherNote.status).toBe(400);
    expect(otherNote.body.error.message).toContain("note: must say what was done");
    const unknown = await act<ErrorBody>(x.id, "assign", {
      body: { assignee: "nobody@example.test" },
    });
    expect(unknown.status).toBe(400);
    const form = await act<ErrorBody>(x.id, "comments", {
      body: "body=hello",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(form.status).toBe(415);
    const huge = await act<ErrorBody>(x.id, "comments", {
      body: { body: "x".repeat(MAX_JSON_BODY_BYTES) },
    });
    expect(huge.status).toBe(413);
    expect((await get(x.id)).body.exception.version).toBe(1);
  });

  it("answers 403 naming what is missing to a role or key that may not act", async () => {
    const x = await seedException(t.db);
    const admin = await act<ErrorBody>(x.id, "start", { token: adminToken.key });
    expect(admin.status).toBe(403);
    expect(admin.body.error.message).toContain("'exceptions:work'");
    const readOnly = await act<ErrorBody>(x.id, "start", { token: reader.key });
    expect(readOnly.status).toBe(403);
    expect(readOnly.body.error.message).toContain("'work' scope");
    expect((await act<ErrorBody>(x.id, "start", { token: null })).status).toBe(401);
    expect((await act<ErrorBody>("00000000-0000-4000-8000-000000000000", "start")).status).toBe(
      404,
    );
    expect((await act(x.id, "start", { token: financeToken.key })).status).toBe(200);
  });
});

describe("queue actions with a service key (work scope)", () => {
  it("works the exception, owning nothing, and the audit log names the key", async () => {
    const x = await seedException(t.db);
    const started = await act(x.id, "start", { token: worker.key });
    expect(started.body.exception).toMatchObject({ status: "in_progress", ownerId: null });
    const commented = await act(x.id, "comments", { token: worker.key, body: { body: "Retried" } });
    expect(commented.status).toBe(201);
    const dismissed = await act(x.id, "dismiss", {
      token: worker.key,
      body: { reason: "duplicate", note: "Same as another" },
    });
    expect(dismissed.body.exception.status).toBe("dismissed");
    const timeline = (await get(x.id)).body.timeline!.items;
    expect(timeline.find((i) => i.kind === "comment")).toMatchObject({
      authorEmail: "service key nightly-retry",
    });
    const entries = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.targetType, "exception"), eq(auditLog.targetId, x.id)));
    expect(entries).toHaveLength(3);
    for (const e of entries) {
      expect(e).toMatchObject({
        actorType: "api_key",
        actorId: worker.id,
        actorLabel: "nightly-retry",
      });
    }
  });

  it("retries a failed posting once per attempt, through the outbox", async () => {
    const x = await failedPosting(t.db);
    const first = await act(x.id, "retry", { token: worker.key });
    expect(first.body).toMatchObject({ retry: { outcome: "requested" } });
    expect(first.status).toBe(200);
    expect(first.body.retry).toMatchObject({ outcome: "requested" });
    expect(first.body.exception.status).toBe("in_progress");
    const again = await act(x.id, "retry", { token: worker.key });
    expect(again.body.retry).toMatchObject({ outcome: "already_requested" });
    const commands = await t.db
      .select()
      .from(outboxCommands)
      .where(eq(outboxCommands.exceptionId, x.id));
    expect(commands).toHaveLength(1);
    expect(commands[0]!.createdBy).toBeNull();
    const notAPosting = await seedException(t.db, { type: "invoice_disputed" });
    expect((await act<ErrorBody>(notAPosting.id, "retry")).status).toBe(400);
  });

  it("replays a rejected-events group, and dismisses another one's events with a reason", async () => {
    const replayGroup = await rejectedGroup(t.db);
    const replayed = await act(replayGroup.id, "replay", { token: worker.key });
    expect(replayed.status).toBe(200);
    expect(replayed.body.replayed).toEqual([{ id: expect.any(Number), outcome: "accepted" }]);
    expect(replayed.body.exception.status).toBe("resolved");

    const dismissGroup = await rejectedGroup(t.db);
    const dismissed = await act(dismissGroup.id, "dismiss-events", {
      body: { reason: "Test data sent by mistake" },
    });
    expect(dismissed.status).toBe(200);
    expect(dismissed.body.dismissed).toBe(1);
    const waiting = await t.db
      .select()
      .from(rejectedEvents)
      .where(eq(rejectedEvents.resolution, "dismissed: Test data sent by mistake"));
    expect(waiting).toHaveLength(1);
    const again = await act<ErrorBody>(dismissGroup.id, "dismiss-events", {
      body: { reason: "Again" },
    });
    expect(again.status).toBe(409);
  });
});
