import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { SEARCH_QUERIES, uuidRange, type SearchQueryKind } from "@/db/queries/search";
import { queryRows } from "@/db/rows";
import { events, exceptions, incidents } from "@/db/schema";
import { search, PER_KIND_LIMIT } from "@/lib/thread/search";
import { TEST_ENGINE, testDbForSuite } from "../support/db";
import { amended, reconResult, unique } from "../exceptions/support";
import { attemptEvent, entitlementEvent, ingestAll, invoiceEvent, paymentEvent } from "./support";
import { eq } from "drizzle-orm";

/*
 * Search by id or id prefix, per kind, and proof that each kind's query is served by an
 * index rather than a scan of its table (PostgreSQL's plan with sequential scans priced out:
 * a query no index can serve still scans).
 */

const t = testDbForSuite();
const tag = unique("zq").toUpperCase();
const invoiceId = `INV-${tag}-1`;
const customerId = `cus_${tag}`;
const postingId = `PST-${tag}`;
const paymentId = `PAY-${tag}`;
const contractId = `CTR-${tag}`;
const runId = `RUN-${tag}`;
let exceptionId: string;
let eventSeq: number;
let cloudEventId: string;
let incidentId: string;

beforeAll(async () => {
  await ingestAll(t.db, [
    invoiceEvent({ invoiceId, customerId, entity: "ACME-US", issuedAt: "2025-03-01T06:00:00Z" }),
    invoiceEvent({
      invoiceId: `INV-${tag}-2`,
      customerId,
      entity: "ACME-US",
      issuedAt: "2025-03-02T06:00:00Z",
    }),
    attemptEvent(postingId, invoiceId, "ACME-US", 1, "failed", "2025-03-01T07:00:00Z"),
    attemptEvent(postingId, invoiceId, "ACME-US", 2, "failed", "2025-03-01T08:00:00Z"),
    paymentEvent(paymentId, customerId, null, 10_000, "2025-03-02T00:00:00Z"),
    entitlementEvent(`cus_only_entitled_${tag}`, "active", "2025-03-02T00:00:00Z"),
    { ...amended(contractId, "2025-02-01T00:00:00Z", "2025-03-03T00:00:00Z") },
    { ...reconResult(runId, "cus_x", 100, 100, "2025-03-03T00:00:00Z") },
  ]);
  const [x] = await t.db
    .select({ id: exceptions.id })
    .from(exceptions)
    .where(eq(exceptions.postingId, postingId));
  exceptionId = x!.id;
  const [e] = await t.db
    .select({ seq: events.seq, eventId: events.eventId })
    .from(events)
    .where(eq(events.type, "erp.posting.attempted"))
    .limit(1);
  eventSeq = e!.seq;
  cloudEventId = e!.eventId;
  const [i] = await t.db.select({ id: incidents.id }).from(incidents).limit(1);
  incidentId = i!.id;
});

const found = async (q: string) => (await search(t.db, q)).map((r) => `${r.kind}:${r.id}`);

describe("search by id or prefix", () => {
  it("finds invoices and their customer by prefix, each opening its thread", async () => {
    const results = await search(t.db, `INV-${tag}`);
    expect(results.map((r) => r.id)).toEqual([invoiceId, `INV-${tag}-2`]);
    expect(results[0]).toMatchObject({
      kind: "invoice",
      url: `/threads/invoice/${invoiceId}`,
    });
    expect(results[0]!.title).toContain(customerId);
  });

  it("finds a customer named by an invoice and one named only by an entitlement", async () => {
    expect(await found(`cus_${tag}`)).toEqual([`customer:${customerId}`]);
    expect(await found(`cus_only_entitled_${tag.slice(0, 4)}`)).toEqual([
      `customer:cus_only_entitled_${tag}`,
    ]);
    expect((await search(t.db, customerId))[0]!.url).toBe(`/threads/customer/${customerId}`);
  });

  it("finds a posting once however many attempts, opening its invoice's thread", async () => {
    const results = await search(t.db, postingId.slice(0, -2));
    expect(results).toEqual([
      expect.objectContaining({
        kind: "posting",
        id: postingId,
        url: `/threads/invoice/${invoiceId}`,
      }),
    ]);
  });

  it("finds a payment without an invoice, opening its customer's thread", async () => {
    const [result] = await search(t.db, paymentId);
    expect(result).toMatchObject({ kind: "payment", url: `/threads/customer/${customerId}` });
  });

  it("finds contracts and reconciliation runs by prefix", async () => {
    expect(await found(contractId.slice(0, 8))).toEqual([`contract:${contractId}`]);
    expect(await found(runId.slice(0, 8))).toEqual([`reconciliation_run:${runId}`]);
  });

  it("finds an exception by a prefix of its uuid and an event by its number", async () => {
    expect(await found(exceptionId.slice(0, 13))).toContain(`exception:${exceptionId}`);
    expect(await found(exceptionId.toUpperCase())).toContain(`exception:${exceptionId}`);
    // A number may also begin an exception's uuid: the event is among the results.
    const event = (await search(t.db, String(eventSeq))).find((r) => r.kind === "event");
    expect(event).toMatchObject({ id: String(eventSeq), url: `/events/${eventSeq}` });
  });

  it("finds an event by its CloudEvent id or a prefix of it, opening its raw record", async () => {
    const whole = (await search(t.db, cloudEventId)).filter((r) => r.kind === "event");
    expect(whole).toEqual([
      expect.objectContaining({ id: String(eventSeq), url: `/events/${eventSeq}` }),
    ]);
    expect(whole[0]!.title).toContain(cloudEventId);
    const byPrefix = await found(cloudEventId.slice(0, -2));
    expect(byPrefix).toContain(`event:${eventSeq}`);
  });

  it("finds an incident by a prefix of its uuid", async () => {
    const results = await search(t.db, incidentId.slice(0, 13));
    expect(results).toContainEqual(
      expect.objectContaining({
        kind: "incident",
        id: incidentId,
        url: `/incidents/${incidentId}`,
      }),
    );
  });

  it("finds nothing for a prefix nothing has, and only true prefixes", async () => {
    expect(await search(t.db, `NOPE-${tag}`)).toEqual([]);
    // A middle part of an id is not a prefix.
    expect(await search(t.db, tag)).toEqual([]);
  });

  it("answers at most the limit of each kind", async () => {
    const many = Array.from({ length: PER_KIND_LIMIT + 2 }, (_, i) =>
      invoiceEvent({
        invoiceId: `MANY-${tag}-${i}`,
        customerId,
        entity: "ACME-US",
        issuedAt: "2025-03-01T06:00:00Z",
      }),
    );
    await ingestAll(t.db, many);
    expect(await search(t.db, `MANY-${tag}`)).toHaveLength(PER_KIND_LIMIT);
  });

  it("takes only canonical uuid prefixes as exception ids", () => {
    expect(uuidRange("3f2a")).toEqual({
      low: "3f2a0000-0000-0000-0000-000000000000",
      high: "3f2affff-ffff-ffff-ffff-ffffffffffff",
    });
    expect(uuidRange("3f2ag")).toBeNull();
    expect(uuidRange("3f2a0000f")).toBeNull();
    expect(uuidRange("")).toBeNull();
  });
});

describe.runIf(TEST_ENGINE === "postgres")("search reads indexes, not tables", () => {
  const queries: [SearchQueryKind, string][] = [
    ["customer", "cus_"],
    ["invoice", "INV-"],
    ["posting", "PST-"],
    ["payment", "PAY-"],
    ["contract", "CTR-"],
    ["reconciliation_run", "RUN-"],
    ["exception", "3f2a"],
    ["incident", "3f2a"],
    ["event", "42"],
    ["event", "evt-3f2a"],
  ];

  it.each(queries)("%s: no sequential scan in the plan", async (kind, q) => {
    const plan = await t.db.transaction(async (tx) => {
      await tx.execute(sql`set local enable_seqscan = off`);
      const rows = await queryRows<{ "QUERY PLAN": string }>(
        tx,
        sql`explain ${SEARCH_QUERIES[kind](q, PER_KIND_LIMIT)}`,
      );
      return rows.map((r) => r["QUERY PLAN"]).join("\n");
    });
    expect(plan).toMatch(/Index (Only )?Scan|Bitmap Index Scan/);
    expect(plan).not.toMatch(/Seq Scan/);
  });
});
