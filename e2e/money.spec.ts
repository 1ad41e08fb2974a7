import { randomBytes } from "node:crypto";
import type { Db } from "@/db/client";
import { exceptions, fxRates, type ExceptionType } from "@/db/schema";
import { expect, test } from "./fixtures/auth";
import { ingestAccepted, newRunToken } from "./fixtures/telemetry";

/*
 * Money at stake in the reporting currency (USD, the default). A finance user reads the
 * overview's table for an entity of the test's own, whose figures are worked by hand from the
 * seeded exceptions and one seeded rate, a cell whose amounts have no rate saying "missing"
 * rather than 0.00; and sets close-readiness materiality in USD for a break in another
 * currency, watching the month turn from NO-GO to GO once the converted threshold covers it.
 *
 * The suite shares one database: each test seeds an entity of its own, and rates of
 * currencies no other journey uses (NOK and CHF into USD; SEK has none), effective from a day
 * long before anything here so they are in effect whenever it runs.
 */

async function seedRate(db: Db, currency: string, rate: string) {
  const values = {
    currency,
    reportingCurrency: "USD",
    effectiveDate: "2000-01-01",
    rate,
    source: "admin" as const,
    at: new Date("2000-01-01T00:00:00Z"),
  };
  await db
    .insert(fxRates)
    .values(values)
    .onConflictDoUpdate({
      target: [fxRates.currency, fxRates.reportingCurrency, fxRates.effectiveDate],
      set: { rate },
    });
}

test("the overview shows money at stake by type and entity, missing rates as missing", async ({
  page,
  db,
  signInAs,
}) => {
  const entity = `E2E-MONEY-${newRunToken()}`;
  await seedRate(db, "NOK", "0.095");
  const seeded: [ExceptionType, number | null, string | null, "resolved"?][] = [
    ["reconciliation_break", 100_000, "NOK"], // 1,000.00 NOK × 0.095 = 95.00 USD
    ["reconciliation_break", 25_000, "USD"], // 250.00 USD
    ["reconciliation_break", 50_000, "SEK"], // no SEK→USD rate: missing
    ["erp_posting_failed", 234_567, "NOK"], // 2,345.67 NOK × 0.095 = 222.83865 → 222.84 USD
    ["erp_posting_failed", null, null], // unknown amount
    ["invoice_disputed", 8_000, "SEK"], // no rate: the dispute row has no USD figure at all
    ["reconciliation_break", 999_900, "USD", "resolved"], // closed: not at stake
  ];
  await db.insert(exceptions).values(
    seeded.map(([type, amountMinor, currency, status], i) => ({
      type,
      problemKey: `e2e-money-${randomBytes(6).toString("hex")}`,
      status: status ?? ("open" as const),
      title: `Money ${i} of ${entity}`,
      entity,
      amountMinor,
      currency,
      openedAt: new Date(Date.now() - (i + 1) * 3_600_000),
    })),
  );

  await signInAs("finance", "/overview");
  await page.goto(`/overview?entity=${entity}`);
  const table = page.getByTestId("money-at-stake");
  await expect(table.locator("thead th")).toHaveText(["Exception type", entity, "All entities"]);
  const cell = (type: string) => table.locator(`tr[data-type="${type}"] td`).first();

  // Breaks: 95.00 + 250.00 = 345.00 USD, the SEK one counted beside the sum.
  await expect(cell("reconciliation_break").getByTestId("stake-figure")).toHaveText("345.00 USD");
  await expect(cell("reconciliation_break")).toContainText("3 open + 1 without a rate");
  await expect(cell("erp_posting_failed").getByTestId("stake-figure")).toHaveText("222.84 USD");
  await expect(cell("erp_posting_failed")).toContainText("2 open + 1 unknown");
  // Nothing of the dispute could be converted: missing, never 0.00 USD.
  await expect(cell("invoice_disputed").getByTestId("stake-figure")).toHaveText(
    "missing (no rate)",
  );
  await expect(cell("invoice_disputed")).toContainText("1 open + 1 without a rate");
  await expect(cell("invoice_disputed")).not.toContainText("0.00");
  const total = page.getByTestId("money-at-stake-total");
  await expect(total.getByTestId("stake-figure")).toHaveText("567.84 USD");
  await expect(total).toContainText("6 open + 1 unknown, 2 without a rate");

  // The dispute cell opens those exceptions in the queue, which names the missing rate.
  await cell("invoice_disputed").getByRole("link").click();
  await expect(page).toHaveURL(/\/exceptions\?.*type=invoice_disputed/);
  const rows = page.getByTestId("exceptions-table").locator("tbody tr");
  await expect(rows).toHaveCount(1);
  await expect(rows.getByTestId("queue-reporting-amount")).toHaveText("no SEK→USD rate");
});

/** Last month, as the close page names and keys it. */
function lastMonth(now = new Date()) {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  const key = `${start.getUTCFullYear()}-${String(start.getUTCMonth() + 1).padStart(2, "0")}`;
  return { start, key };
}

test("materiality set in the reporting currency turns a month with a foreign break to GO", async ({
  page,
  db,
  signInAs,
}) => {
  const run = newRunToken();
  const entity = `E2E-MAT-${run}`;
  const { start, key } = lastMonth();
  const at = (day: number, hour = 0) =>
    new Date(start.getTime() + ((day - 1) * 24 + hour) * 3_600_000).toISOString();
  await seedRate(db, "CHF", "1.25");
  const event = (type: string, time: string, data: Record<string, unknown>) => ({
    specversion: "1.0",
    id: `e2e-money-${run}-${randomBytes(6).toString("hex")}`,
    source: "/e2e/money",
    type,
    time,
    data,
  });
  const invoiceId = `INV-${run}-CHF`;
  // Last month complete and posted, but for one break: 1,000.00 CHF billed, 900.00 booked,
  // so 100.00 CHF, which is 125.00 USD at 1.25.
  await ingestAccepted(db, [
    event("usage.checkpoint", at(5, 1), {
      entity,
      meter: "api_calls",
      windowStart: at(5),
      windowEnd: at(5, 1),
      expectedCount: 1000,
      receivedCount: 1000,
    }),
    event("invoice.issued", at(3), {
      invoiceId,
      customerId: `cus_${run}`,
      entity,
      currency: "CHF",
      amountMinor: 100_000,
      periodStart: at(1),
      periodEnd: at(3),
      issuedAt: at(3),
    }),
    event("erp.posting.attempted", at(3, 1), {
      postingId: `PST-${invoiceId}`,
      invoiceId,
      entity,
      attempt: 1,
      status: "succeeded",
      attemptedAt: at(3, 1),
    }),
    event("reconciliation.result", at(10), {
      runId: `run-${run}`,
      kind: "billing_vs_erp",
      entity,
      periodStart: at(1),
      periodEnd: at(9),
      key: `cus_${run}`,
      currency: "CHF",
      expectedMinor: 100_000,
      actualMinor: 90_000,
    }),
  ]);

  await signInAs("finance", "/close");
  await page.goto(`/close?entity=${entity}&period=${key}`);
  const verdict = page.getByTestId("close-verdict");
  const breaks = page.getByTestId("check-no_material_reconciliation_breaks");
  await expect(verdict).toContainText("NO-GO");
  await expect(verdict).toContainText("1 of 6 checks fail");
  await expect(breaks).toHaveAttribute("data-passed", "false");

  const setMateriality = async (amount: string) => {
    await page.getByLabel("Currency", { exact: true }).fill("USD");
    await page.getByLabel("Threshold (in major units)").fill(amount);
    await page.getByRole("button", { name: "Set materiality" }).click();
    await expect(
      page.getByText(`Materiality for ${entity} in USD is now ${amount} USD.`),
    ).toBeVisible();
  };
  // 100.00 USD is 80.00 CHF at 1.25: the 100.00 CHF break still blocks.
  await setMateriality("100.00");
  await expect(breaks).toHaveAttribute("data-passed", "false");
  await expect(verdict).toContainText("NO-GO");
  // 150.00 USD is 120.00 CHF: the break is under it, and the month is ready.
  await setMateriality("150.00");
  await expect(breaks).toHaveAttribute("data-passed", "true");
  await expect(verdict).toContainText("is ready to close: all 6 checks pass.");
});
