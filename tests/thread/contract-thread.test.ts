import { beforeAll, describe, expect, it, vi } from "vitest";
import { accountingPeriods } from "@/db/schema";
import { handleContractThread } from "@/lib/thread/http";
import type { ContractThread } from "@/lib/contract/thread-api";
import { answer, apiRequest, serviceKey } from "../api/support";
import { event, makeUser, unique } from "../exceptions/support";
import { testDbForSuite } from "../support/db";
import { ingestAll, invoiceEvent } from "./support";

/*
 * A contract's thread: its amendments with the invoices they touch (billed from the effective
 * date, and whether on the old terms) and the accounting periods they reach back into, over
 * HTTP and as documented; an unknown contract is 404.
 */

vi.mock("next-auth", async () => (await import("../support/no-session")).withoutSession());

const t = testDbForSuite();
const contractId = unique("CTR");
const customerId = unique("cus");
const entity = unique("ENT");
let reader: string;

const month = (m: number) => `2025-${String(m).padStart(2, "0")}-01T00:00:00Z`;

beforeAll(async () => {
  const invoice = (m: number) =>
    invoiceEvent({
      invoiceId: `INV-${contractId}-${m}`,
      customerId,
      entity,
      periodStart: month(m),
      periodEnd: month(m + 1),
      issuedAt: `2025-${String(m + 1).padStart(2, "0")}-02T06:00:00Z`,
    });
  const amendment = (effectiveFrom: string, amendedAt: string, amountImpactMinor: number) =>
    event(
      "contract.amended",
      {
        contractId,
        customerId,
        entity,
        effectiveFrom,
        amendedAt,
        currency: "USD",
        amountImpactMinor,
      },
      amendedAt,
    );
  const admin = await makeUser(t.db, "admin");
  await t.db.insert(accountingPeriods).values([
    {
      entity,
      periodStart: new Date(month(2)),
      periodEnd: new Date(month(3)),
      closedAt: new Date("2025-03-05T00:00:00Z"),
      closedBy: admin.id,
    },
    { entity, periodStart: new Date(month(3)), periodEnd: new Date(month(4)) },
  ]);
  await ingestAll(t.db, [
    invoice(1),
    invoice(2),
    invoice(3),
    invoice(4),
    // Made mid-March, effective from February: reaches back into February's closed period.
    amendment(month(2), "2025-03-15T00:00:00Z", -20_000),
    // Made in April, effective from May: touches nothing billed yet.
    amendment(month(5), "2025-04-20T00:00:00Z", 5_000),
  ]);
  reader = (await serviceKey(t.db, ["read"])).key;
});

const get = (id: string) =>
  answer<ContractThread>(
    handleContractThread(
      t.db,
      apiRequest("GET", `/api/v1/threads/contract/${encodeURIComponent(id)}`, { token: reader }),
      id,
    ),
    "GET /api/v1/threads/contract/{id}",
  );

describe("GET /api/v1/threads/contract/{id}", () => {
  it("lists amendments oldest first with the invoices and periods each touches", async () => {
    const res = await get(contractId);
    expect(res.status).toBe(200);
    expect(res.body.customerId).toBe(customerId);
    const [retro, ahead] = res.body.amendments;
    expect(retro).toMatchObject({
      entity,
      amountImpactMinor: -20_000,
      retroactive: true,
      exception: { status: "open" },
      periods: [
        { periodStart: "2025-02-01T00:00:00.000Z", closed: true },
        { periodStart: "2025-03-01T00:00:00.000Z", closed: false },
      ],
    });
    // January's period ends as February begins: untouched. February's invoice was issued
    // (March 2) before the amendment was made (March 15), on the old terms; March's and
    // April's after it.
    expect(
      retro!.invoices.map((i) => [i.invoiceId.split("-").at(-1), i.billedBeforeAmendment]),
    ).toEqual([
      ["2", true],
      ["3", false],
      ["4", false],
    ]);
    expect(retro!.invoices[0]!.href).toBe(
      `/threads/invoice/${encodeURIComponent(`INV-${contractId}-2`)}`,
    );
    expect(ahead).toMatchObject({ retroactive: false, exception: null, invoices: [], periods: [] });
  });

  it("answers 404 for a contract with no amendment", async () => {
    expect((await get(unique("CTR"))).status).toBe(404);
  });
});
