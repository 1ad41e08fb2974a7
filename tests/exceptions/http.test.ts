import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it, vi } from "vitest";
import {
  handleExceptionCounts,
  handleExceptionsCsv,
  handleListExceptions,
} from "@/lib/exceptions/http";
import { loadQueuePage, type QueueCounts, type QueuePage } from "@/lib/exceptions/queue";
import { loadQueueParams } from "@/lib/exceptions/queue-params";
import { suiteWithKeys } from "../support/api-keys";
import { makeUser, seedException } from "./support";

/*
 * GET /api/v1/exceptions and its CSV export, through the handlers the routes use: the
 * queue's URL params, the keyset cursors, "me" for a session user, the access rules for
 * keys and sessions, and a CSV a spreadsheet opens safely.
 */

// GET also admits a signed-in user; here no one is signed in, and the session's side of the
// rules is the role matrix in tests/auth/route-access.test.ts.
vi.mock("next-auth", async () => (await import("../support/no-session")).withoutSession());

const { t, keys } = suiteWithKeys({ reader: ["read"], ingestOnly: ["ingest"] });
let ops: Awaited<ReturnType<typeof makeUser>>;
const ENTITY = `HTTP-${randomUUID().slice(0, 6)}`;

beforeAll(async () => {
  ops = await makeUser(t.db, "operations");
  for (let i = 0; i < 5; i++) {
    await seedException(t.db, {
      entity: ENTITY,
      title: i === 0 ? '=HYPERLINK("http://evil"), quoted' : `Posting ${i} failed`,
      amountMinor: 100_050 * (i + 1),
      ownerId: i % 2 === 0 ? ops.id : null,
      openedAt: new Date(Date.UTC(2025, 0, 10 + i)),
    });
  }
  await seedException(t.db, { entity: ENTITY, status: "resolved" });
});

function get(path: string, query: Record<string, string>, key: string | null) {
  const url = new URL(`http://closeline.test${path}`);
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  const headers = new Headers();
  if (key) headers.set("authorization", `Bearer ${key}`);
  return new Request(url, { headers });
}

async function list(query: Record<string, string>, key: string | null = keys.reader) {
  const response = await handleListExceptions(t.db, get("/api/v1/exceptions", query, key));
  return {
    status: response.status,
    body: (await response.json()) as QueuePage & { error?: { message: string } },
  };
}

describe("GET /api/v1/exceptions", () => {
  it("answers a page of the queue with ISO dates, and the counts apart", async () => {
    const first = await list({ entity: ENTITY, size: "25" });
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(5);
    const counts = await handleExceptionCounts(
      t.db,
      get("/api/v1/exceptions/counts", { entity: ENTITY, type: "erp_posting_failed" }, keys.reader),
    );
    expect(counts.status).toBe(200);
    const body = (await counts.json()) as QueueCounts;
    expect(body.byType.erp_posting_failed).toEqual({ count: 5, capped: false });
    expect(body.byType.invoice_disputed).toEqual({ count: 0, capped: false });
    expect(body.cap).toBe(1000);
    expect(first.body.items[0]).toMatchObject({
      entity: ENTITY,
      openedAt: "2025-01-10T00:00:00.000Z",
      amountMinor: 100_050,
      currency: "USD",
      ownerLabel: ops.email,
      version: 1,
    });
  });

  it("pages with the cursors it hands out, and refuses one from another sort", async () => {
    // Page sizes are 25, 50 or 100: thirty rows make two pages of the smallest.
    for (let i = 0; i < 30; i++)
      await seedException(t.db, { entity: `${ENTITY}-P`, amountMinor: i });
    const one = await list({ entity: `${ENTITY}-P`, size: "25", sort: "amount" });
    expect(one.body.items).toHaveLength(25);
    expect(one.body.previousCursor).toBeNull();
    const two = await list({
      entity: `${ENTITY}-P`,
      size: "25",
      sort: "amount",
      after: one.body.nextCursor!,
    });
    expect(two.body.items).toHaveLength(5);
    expect(two.body.nextCursor).toBeNull();
    const ids = [...one.body.items, ...two.body.items].map((i) => i.id);
    expect(new Set(ids).size).toBe(30);
    const back = await list({
      entity: `${ENTITY}-P`,
      size: "25",
      sort: "amount",
      before: two.body.previousCursor!,
    });
    expect(back.body.items.map((i) => i.id)).toEqual(one.body.items.map((i) => i.id));

    const wrong = await list({
      entity: `${ENTITY}-P`,
      sort: "severity",
      after: one.body.nextCursor!,
    });
    expect(wrong.status).toBe(400);
    expect((await list({ after: "garbage" })).status).toBe(400);
  });

  it("resolves owner=me to the viewer, which a key is not", async () => {
    expect((await list({ entity: ENTITY, owner: "me" })).status).toBe(400);
    const mine = await loadQueuePage(t.db, loadQueueParams({ entity: ENTITY, owner: "me" }), ops);
    expect(mine.items.map((i) => i.ownerLabel)).toEqual([ops.email, ops.email, ops.email]);
    const unassigned = await loadQueuePage(
      t.db,
      loadQueueParams({ entity: ENTITY, owner: "unassigned" }),
      ops,
    );
    expect(unassigned.items).toHaveLength(2);
  });

  it("answers 401 without credentials and 403 for a key without the read scope", async () => {
    expect((await list({}, null)).status).toBe(401);
    expect((await list({}, keys.ingestOnly)).status).toBe(403);
  });

  it("says what is wrong with a bad filter", async () => {
    const bad = await list({ owner: "someone", entity: ENTITY });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.message).toMatch(/owner/);
    expect((await list({ min: "10", max: "5" })).status).toBe(400);
  });
});

describe("GET /api/v1/exceptions.csv", () => {
  it("exports every row of the filter, with exact and decimal amounts and safe text", async () => {
    const response = await handleExceptionsCsv(
      t.db,
      get("/api/v1/exceptions.csv", { entity: ENTITY, size: "25", after: "ignored" }, keys.reader),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toMatch(
      /^attachment; filename="exceptions-all-\d{8}-\d{4}\.csv"$/,
    );
    expect(response.headers.get("x-export-rows")).toBe("5");
    expect(response.headers.get("x-export-truncated")).toBe("false");
    const lines = (await response.text()).trimEnd().split("\r\n");
    expect(lines[0]).toMatch(
      /^id,type,status,severity,title,entity,amount_minor,amount,currency,owner,opened_at/,
    );
    expect(lines).toHaveLength(6);
    // The oldest first, as the queue; a formula-looking title is defused and quoted.
    expect(lines[1]).toContain(
      `,"'=HYPERLINK(""http://evil""), quoted",${ENTITY},100050,1000.50,USD,${ops.email},2025-01-10T00:00:00.000Z,`,
    );
    expect(lines[1]).toMatch(/,http:\/\/closeline\.test\/exceptions\/[0-9a-f-]{36}$/);
    // In the reporting currency (USD, the default): the amount itself at rate 1, no rate day.
    expect(lines[1]).toContain(",100050,1000.50,USD,1,,http://");
    expect(lines[2]).toContain(",200100,2001.00,USD,,");
  });

  it("refuses a key without the read scope", async () => {
    const response = await handleExceptionsCsv(
      t.db,
      get("/api/v1/exceptions.csv", {}, keys.ingestOnly),
    );
    expect(response.status).toBe(403);
  });
});
