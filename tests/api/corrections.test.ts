import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { auditLog, corrections, exceptions } from "@/db/schema";
import {
  handleDecideCorrection,
  handleGetCorrection,
  handleListCorrections,
  handleProposeCorrection,
} from "@/lib/corrections/api";
import { makeUser, seedException } from "../exceptions/support";
import { makeEndpoint } from "../outbox/support";
import { testDbForSuite } from "../support/db";
import { answer, apiRequest, serviceKey, tokenFor } from "./support";
import type { CallOptions, ErrorBody } from "./support";

/*
 * Corrections over HTTP under maker-checker: a person's token counts as the person (who
 * never decides what they proposed), a service key may propose but never decide, and a
 * decision names the version it was based on (If-Match, 412).
 */

vi.mock("next-auth", async () => (await import("../support/no-session")).withoutSession());

type CorrectionBody = {
  id: string;
  exceptionId: string;
  status: string;
  version: number;
  proposedBy: string | null;
  proposedByKeyId: string | null;
  decisions: { deciderId: string; decision: string }[];
};
type ListBody = { items: CorrectionBody[]; nextCursor: string | null };

const t = testDbForSuite();
let alice: Awaited<ReturnType<typeof makeUser>>;
let bob: Awaited<ReturnType<typeof makeUser>>;
let aliceToken: string;
let bobToken: string;
let opsToken: string;
let worker: Awaited<ReturnType<typeof serviceKey>>;

beforeAll(async () => {
  alice = await makeUser(t.db, "finance");
  bob = await makeUser(t.db, "finance");
  aliceToken = (await tokenFor(t.db, alice.id, "alice-script")).key;
  bobToken = (await tokenFor(t.db, bob.id, "bob-script")).key;
  opsToken = (await tokenFor(t.db, (await makeUser(t.db, "operations")).id)).key;
  worker = await serviceKey(t.db, ["work", "read"], "writeoff-bot");
  // An approved correction leaves as a command to its target system.
  await makeEndpoint(t.db, "https://erp.example.test/corrections", ["correction.execute"]);
});

const proposal = {
  kind: "credit_note",
  amountMinor: 12_500,
  currency: "USD",
  targetSystem: "netsuite",
  reason: "Usage was double-counted in March",
};

function propose<T = CorrectionBody>(exceptionId: string, options: CallOptions = {}) {
  const request = apiRequest("POST", `/api/v1/exceptions/${exceptionId}/corrections`, {
    token: aliceToken,
    body: proposal,
    ...options,
  });
  return answer<T>(
    handleProposeCorrection(t.db, request, exceptionId),
    "POST /api/v1/exceptions/{id}/corrections",
  );
}

function decide<T = CorrectionBody>(
  id: string,
  decision: "approve" | "reject",
  options: CallOptions = {},
) {
  const request = apiRequest("POST", `/api/v1/corrections/${id}/${decision}`, {
    token: bobToken,
    body: { reason: "Checked against the usage export" },
    ...options,
  });
  return answer<T>(
    handleDecideCorrection(t.db, request, id, decision),
    `POST /api/v1/corrections/{id}/${decision}`,
  );
}

const getOne = <T = CorrectionBody>(id: string, token = opsToken) =>
  answer<T>(
    handleGetCorrection(t.db, apiRequest("GET", `/api/v1/corrections/${id}`, { token }), id),
  );

const list = (query: string, token = opsToken) =>
  answer<ListBody>(
    handleListCorrections(t.db, apiRequest("GET", `/api/v1/corrections${query}`, { token })),
    "GET /api/v1/corrections",
  );

const exceptionStatus = async (id: string) =>
  (await t.db.select().from(exceptions).where(eq(exceptions.id, id)))[0]!.status;

describe("propose → approve by the other person", () => {
  it("refuses the proposer's own approval (403) and a service key's (403); another person approves", async () => {
    const x = await seedException(t.db, { type: "reconciliation_break" });
    const asked = { "if-match": '"1"', "idempotency-key": `propose-${x.id}` };
    const proposed = await propose(x.id, { headers: asked });
    expect(proposed.status).toBe(201);
    // The same request again is the first answer again, headers included.
    const replayed = await propose(x.id, { headers: asked });
    expect(replayed.status).toBe(201);
    expect(replayed.headers.get("idempotent-replayed")).toBe("true");
    expect(replayed.headers.get("location")).toBe(proposed.headers.get("location"));
    expect(replayed.headers.get("etag")).toBe(proposed.headers.get("etag"));
    expect(replayed.body).toEqual(proposed.body);
    expect(proposed.body).toMatchObject({
      status: "pending_approval",
      version: 1,
      proposedBy: alice.id,
    });
    expect(proposed.headers.get("location")).toBe(`/api/v1/corrections/${proposed.body.id}`);
    expect(await exceptionStatus(x.id)).toBe("awaiting_approval");
    const id = proposed.body.id;

    const own = await decide<ErrorBody>(id, "approve", { token: aliceToken });
    expect(own.status).toBe(403);
    expect(own.body.error.message).toBe("You cannot decide on a correction you proposed");

    const byKey = await decide<ErrorBody>(id, "approve", { token: worker.key });
    expect(byKey.status).toBe(403);
    expect(byKey.body.error.message).toContain("needs a person");
    const keyRejects = await decide<ErrorBody>(id, "reject", { token: worker.key });
    expect(keyRejects.status).toBe(403);
    expect(keyRejects.body.error.message).toContain("needs a person");

    const byOps = await decide<ErrorBody>(id, "approve", { token: opsToken });
    expect(byOps.status).toBe(403);
    expect(byOps.body.error.message).toContain("'corrections:approve'");

    const stale = await decide<ErrorBody>(id, "approve", { headers: { "if-match": '"7"' } });
    expect(stale.status).toBe(412);

    const approved = await decide(id, "approve", { headers: { "if-match": '"1"' } });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: "approved", version: 2 });
    expect(approved.body.decisions).toEqual([
      expect.objectContaining({ deciderId: bob.id, decision: "approve" }),
    ]);
    expect(approved.headers.get("etag")).toBe('"2"');
    expect(await exceptionStatus(x.id)).toBe("awaiting_confirmation");

    const twice = await decide<ErrorBody>(id, "reject");
    expect(twice.status).toBe(409);
    expect(twice.body.error.message).toBe("The correction is already approved");

    const entries = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.targetType, "correction"), eq(auditLog.targetId, id)));
    expect(entries.map((e) => [e.action, e.actorLabel])).toEqual([
      ["correction.proposed", `${alice.email} via token alice-script`],
      ["correction.approved", `${bob.email} via token bob-script`],
    ]);
  });

  it("lets a service key propose, and a person reject, sending the exception back to the queue", async () => {
    const x = await seedException(t.db, { type: "invoice_disputed" });
    const proposed = await propose(x.id, { token: worker.key });
    expect(proposed.status).toBe(201);
    expect(proposed.body).toMatchObject({ proposedBy: null, proposedByKeyId: worker.id });
    const again = await propose<ErrorBody>(x.id);
    expect(again.status).toBe(409);
    expect(again.body.error.message).toBe("A correction of this exception already awaits approval");

    const rejected = await decide(proposed.body.id, "reject", { token: aliceToken });
    expect(rejected.body.status).toBe("rejected");
    expect(await exceptionStatus(x.id)).toBe("open");
    const [entry] = await t.db
      .select()
      .from(auditLog)
      .where(
        and(eq(auditLog.action, "correction.proposed"), eq(auditLog.targetId, proposed.body.id)),
      );
    expect(entry).toMatchObject({ actorType: "api_key", actorId: worker.id });
  });

  it("refuses a proposal for an unknown exception (404), a stale one (412) and a bad body (400)", async () => {
    expect((await propose<ErrorBody>("00000000-0000-4000-8000-000000000000")).status).toBe(404);
    const x = await seedException(t.db, { type: "reconciliation_break" });
    expect((await propose<ErrorBody>(x.id, { headers: { "if-match": '"3"' } })).status).toBe(412);
    const bad = await propose<ErrorBody>(x.id, { body: { ...proposal, amountMinor: -5 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^amountMinor: /);
    expect(await t.db.select().from(corrections).where(eq(corrections.exceptionId, x.id))).toEqual(
      [],
    );
  });
});

describe("reading corrections", () => {
  it("lists by status, newest first, a page at a time, and answers one by id", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const x = await seedException(t.db, { type: "reconciliation_break" });
      ids.push((await propose(x.id)).body.id);
    }
    const pending = await list("?status=pending_approval");
    expect(pending.status).toBe(200);
    expect(pending.body.items.every((c) => c.status === "pending_approval")).toBe(true);
    expect(pending.body.items.slice(0, 3).map((c) => c.id)).toEqual([...ids].reverse());

    const seen: string[] = [];
    let cursor: string | null = "";
    while (cursor !== null) {
      const page: Awaited<ReturnType<typeof list>> = await list(
        `?status=pending_approval&limit=1${cursor ? `&cursor=${cursor}` : ""}`,
      );
      expect(page.body.items.length).toBeLessThanOrEqual(1);
      seen.push(...page.body.items.map((c) => c.id));
      cursor = page.body.nextCursor;
    }
    expect(seen).toEqual(pending.body.items.map((c) => c.id));

    expect((await list("?status=pending")).status).toBe(400);
    expect((await list("?cursor=nonsense")).status).toBe(400);
    const one = await getOne(ids[0]!);
    expect(one.body).toMatchObject({ id: ids[0], status: "pending_approval", decisions: [] });
    expect(one.headers.get("etag")).toBe('"1"');
    expect((await getOne("00000000-0000-4000-8000-000000000000")).status).toBe(404);
    expect((await getOne("nope")).status).toBe(404);
  });
});
