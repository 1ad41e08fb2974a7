import { beforeAll, describe, expect, it, vi } from "vitest";
import { handleCustomerThread, handleInvoiceThread, handleSearch } from "@/lib/thread/http";
import { answer, apiRequest, serviceKey, tokenFor } from "../api/support";
import { makeUser } from "../exceptions/support";
import { testDbForSuite } from "../support/db";
import { ids, ingestAll, invoicePostingAttempt, invoiceEvent, paymentEvent } from "./support";

/*
 * The thread and search routes over HTTP: who may call them (every role that reads KPIs or
 * exceptions, a service key with the read scope), the answers' shape as documented, and 404
 * for ids that name nothing.
 */

vi.mock("next-auth", async () => (await import("../support/no-session")).withoutSession());

const t = testDbForSuite();
const inv = ids("api");
let reader: string;
let ingestOnly: string;

beforeAll(async () => {
  await ingestAll(t.db, [
    invoiceEvent({ ...inv, issuedAt: "2025-03-01T06:00:00Z" }),
    invoicePostingAttempt(inv, 1, "failed", "2025-03-01T07:00:00Z"),
    paymentEvent(
      `PAY-${inv.invoiceId}`,
      inv.customerId,
      inv.invoiceId,
      125_000,
      "2025-03-02T00:00:00Z",
    ),
  ]);
  reader = (await serviceKey(t.db, ["read"])).key;
  ingestOnly = (await serviceKey(t.db, ["ingest"])).key;
});

const invoicePath = (id: string) => `/api/v1/threads/invoice/${encodeURIComponent(id)}`;
const customerPath = (id: string, query = "") =>
  `/api/v1/threads/customer/${encodeURIComponent(id)}${query}`;

const getInvoice = (id: string, token: string | null) =>
  answer(
    handleInvoiceThread(t.db, apiRequest("GET", invoicePath(id), { token }), id),
    "GET /api/v1/threads/invoice/{id}",
  );
const getCustomer = (id: string, token: string | null, query = "") =>
  answer(
    handleCustomerThread(t.db, apiRequest("GET", customerPath(id, query), { token }), id),
    "GET /api/v1/threads/customer/{id}",
  );
const getSearch = (q: string, token: string | null) =>
  answer(
    handleSearch(t.db, apiRequest("GET", `/api/v1/search?q=${encodeURIComponent(q)}`, { token })),
    "GET /api/v1/search",
  );

describe("GET /api/v1/threads/invoice/{id}", () => {
  it("answers the hops in stage order with the stuck stage", async () => {
    const { status, body } = await getInvoice(inv.invoiceId, reader);
    expect(status).toBe(200);
    const hops = body.hops as { stage: string; status: string }[];
    expect(hops.map((h) => h.stage)).toEqual([
      "usage",
      "invoice",
      "erp_posting",
      "payment",
      "entitlement",
    ]);
    expect(hops[2]!.status).toBe("stuck");
    expect(body.stuckStage).toBe("erp_posting");
    expect((body.exceptions as { type: string }[]).map((x) => x.type).sort()).toEqual([
      "entitlement_out_of_sync",
      "erp_posting_failed",
    ]);
  });

  it("answers 404 for an unknown or overlong id", async () => {
    expect((await getInvoice("INV-NOBODY", reader)).status).toBe(404);
    expect((await getInvoice("x".repeat(5000), reader)).status).toBe(404);
  });

  it("answers 401 without a credential and 403 to a key without the read scope", async () => {
    expect((await getInvoice(inv.invoiceId, null)).status).toBe(401);
    expect((await getInvoice(inv.invoiceId, ingestOnly)).status).toBe(403);
  });

  it.each(["executive", "operations", "finance", "admin"] as const)(
    "may be read by %s, who reads KPIs or exceptions",
    async (role) => {
      const user = await makeUser(t.db, role);
      const { key } = await tokenFor(t.db, user.id);
      expect((await getInvoice(inv.invoiceId, key)).status).toBe(200);
      expect((await getCustomer(inv.customerId, key)).status).toBe(200);
      expect((await getSearch(inv.invoiceId, key)).status).toBe(200);
    },
  );
});

describe("GET /api/v1/threads/customer/{id}", () => {
  it("answers the customer's invoices in the range and their entitlement", async () => {
    const { status, body } = await getCustomer(
      inv.customerId,
      reader,
      "?from=2025-01-01T00:00:00Z&to=2025-12-31T00:00:00Z",
    );
    expect(status).toBe(200);
    expect(
      (body.invoices as { invoice: { invoiceId: string } }[]).map((i) => i.invoice.invoiceId),
    ).toEqual([inv.invoiceId]);
    expect(body.entitlement).toMatchObject({ entitled: null, status: null });
  });

  it("answers 400 for a range the parser refuses and 404 for an unknown customer", async () => {
    expect((await getCustomer(inv.customerId, reader, "?from=2025-01-01T00:00:00Z")).status).toBe(
      400,
    );
    expect(
      (
        await getCustomer(
          inv.customerId,
          reader,
          "?from=2025-01-01T00:00:00Z&to=2024-01-01T00:00:00Z",
        )
      ).status,
    ).toBe(400);
    expect((await getCustomer("cus_nobody", reader)).status).toBe(404);
  });
});

describe("GET /api/v1/search", () => {
  it("answers 400 without a query", async () => {
    expect((await getSearch("", reader)).status).toBe(400);
    expect((await getSearch("   ", reader)).status).toBe(400);
  });

  it("answers 401 without a credential", async () => {
    expect((await getSearch("INV", null)).status).toBe(401);
  });
});
