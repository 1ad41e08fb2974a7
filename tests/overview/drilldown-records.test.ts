import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeDrilldownCursor, encodeDrilldownCursor } from "@/lib/kpi/drilldown";
import { loadDrilldownRecords } from "@/lib/kpi/drilldown-records";
import { createTestDb, type TestDb } from "../support/db";
import { ingest, invoice } from "../kpi/support";

/*
 * What the drill-down page is handed: a page of records with the next page's cursor ready for
 * the URL, the totals beside it, and "bad-cursor" instead of an error for an edited link.
 */

let handle: TestDb;
const day = "2025-06-02";
const scope = {
  from: new Date(`${day}T00:00:00Z`),
  to: new Date(`${day}T12:00:00Z`),
  entity: "ddr",
};
const request = { scope, view: "all", cursor: null, now: new Date(`${day}T12:00:00Z`) };

beforeAll(async () => {
  handle = await createTestDb();
  await ingest(
    handle.db,
    Array.from({ length: 51 }, (_, i) =>
      invoice({
        invoiceId: `DDR-${i}`,
        entity: "ddr",
        periodEnd: `${day}T00:00:00Z`,
        issuedAt: new Date(Date.parse(`${day}T01:00:00Z`) + i * 60_000).toISOString(),
      }),
    ),
  );
}, 60_000);

afterAll(async () => {
  await handle?.close();
});

describe("loadDrilldownRecords", () => {
  it("pages by the drill-down's page size, the next cursor encoded for the link", async () => {
    const first = await loadDrilldownRecords(handle.db, "invoice-latency", request);
    expect(first).toMatchObject({ slug: "invoice-latency", firstPage: true, count: 51 });
    if (first.slug !== "invoice-latency" || first.page === "bad-cursor")
      throw new Error("expected a page");
    expect(first.page.rows).toHaveLength(50);
    expect(first.page.rows[0]!.invoice_id).toBe("DDR-50");
    const cursor = decodeDrilldownCursor(first.page.nextCursor);
    expect(cursor).not.toBeNull();

    const second = await loadDrilldownRecords(handle.db, "invoice-latency", { ...request, cursor });
    expect(second.firstPage).toBe(false);
    if (second.slug !== "invoice-latency" || second.page === "bad-cursor")
      throw new Error("expected a page");
    expect(second.page.rows.map((r) => r.invoice_id)).toEqual(["DDR-0"]);
    expect(second.page.nextCursor).toBeNull();
  });

  it("answers an edited cursor with bad-cursor, the totals still loaded", async () => {
    const cursor = decodeDrilldownCursor(encodeDrilldownCursor({ k: "not a number", id: "x" }));
    const records = await loadDrilldownRecords(handle.db, "invoice-latency", {
      ...request,
      cursor,
    });
    expect(records).toMatchObject({ page: "bad-cursor", count: 51, firstPage: false });
  });

  it("falls back to the complete view when the drill-down has no such view", async () => {
    const records = await loadDrilldownRecords(handle.db, "reconciliation", {
      ...request,
      view: "overdue",
    });
    expect(records).toMatchObject({ slug: "reconciliation", view: "all" });
  });
});
