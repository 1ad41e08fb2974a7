import { randomBytes } from "node:crypto";
import type { Db } from "@/db/client";
import { exceptions, fxRates, type ExceptionType } from "@/db/schema";
import { expect, test } from "./fixtures/auth";
import { lastMonthEvents } from "./fixtures/close-month";
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

test("materiality set in the reporting currency turns a month with a foreign break to GO", async ({
  page,
  db,
  signInAs,
}) => {
  const run = newRunToken();
  const entity = `E2E-MAT-${run}`;
  await seedRate(db, "CHF", "1.25");
  const telemetry = lastMonthEvents(run, entity, "/e2e/money");
  const { at, month } = telemetry;
  const invoiceId = `INV-${run}-CHF`;
  // Last month complete and posted, but for one break: 1,000.00 CHF billed, 900.00 booked,
  // so 100.00 CHF, which is 125.00 USD at 1.25.
  await ingestAccepted(db, [
    telemetry.completeUsage(),
    telemetry.invoice(invoiceId, "CHF", 100_000),
    telemetry.posting(invoiceId, "succeeded"),
    telemetry.event("reconciliation.result", at(10), {
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
  await page.goto(`/close?entity=${entity}&period=${month.key}`);
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

test("an admin pages through the rates of one currency and sees which rate open exceptions wait for", async ({
  page,
  db,
  signInAs,
}) => {
  // 55 ISK→USD rates, one a day from 2001-01-01: more than the table's page of 50.
  const day = (i: number) => new Date(Date.UTC(2001, 0, 1 + i)).toISOString().slice(0, 10);
  await db
    .insert(fxRates)
    .values(
      Array.from({ length: 55 }, (_, i) => ({
        currency: "ISK",
        reportingCurrency: "USD",
        effectiveDate: day(i),
        rate: "0.0072",
        source: "admin" as const,
        at: new Date("2001-01-01T00:00:00Z"),
      })),
    )
    .onConflictDoNothing();
  // A HUF amount with only a USD→HUF rate: never inverted, so named as missing.
  await db
    .insert(fxRates)
    .values({
      currency: "USD",
      reportingCurrency: "HUF",
      effectiveDate: "2000-01-01",
      rate: "350.5",
      source: "admin",
      at: new Date("2000-01-01T00:00:00Z"),
    })
    .onConflictDoNothing();
  const [forints] = await db
    .insert(exceptions)
    .values({
      type: "reconciliation_break",
      problemKey: `e2e-money-${randomBytes(6).toString("hex")}`,
      title: "A break in forints",
      entity: `E2E-HUF-${newRunToken()}`,
      amountMinor: 1_000_000,
      currency: "HUF",
    })
    .returning({ id: exceptions.id });

  await signInAs("admin", "/admin/settings");
  const missing = page.getByTestId("fx-missing").getByRole("row", { name: /HUF → USD/ });
  await expect(missing).toContainText(
    "no HUF→USD rate; an inverse rate exists (USD→HUF 350.5 from 2000-01-01), which Closeline does not invert",
  );

  const filters = page.getByRole("search", { name: "Filter the exchange rates" });
  await filters.getByLabel("Rates from").fill("isk");
  await filters.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/fxFrom=isk/);
  const rates = page.getByTestId("fx-rates").locator("tbody tr");
  await expect(rates).toHaveCount(50);
  await expect(page.getByTestId("fx-rates-count")).toHaveText(
    "Showing 50 of 55 rates that match, newest effective day first.",
  );
  await expect(rates.first()).toContainText(day(54));
  await page.getByRole("link", { name: "Older rates" }).click();
  await expect(page).toHaveURL(/fxAfter=/);
  await expect(rates).toHaveCount(5);
  await expect(page.getByTestId("fx-rates-count")).toHaveText(
    "Showing 5 of 55 rates that match, continuing from the previous page, newest effective day first.",
  );
  await expect(rates.last()).toContainText(day(0));
  await expect(page.getByRole("link", { name: "Older rates" })).toHaveCount(0);
  await page.getByRole("link", { name: "Newest" }).click();
  await expect(rates).toHaveCount(50);

  // The exception itself says the same: missing, and which rate to enter.
  await page.goto(`/exceptions/${forints!.id}`);
  await expect(page.getByTestId("exception-reporting-amount")).toContainText("no HUF→USD rate");
  await expect(page.getByTestId("exception-inverse-rate")).toContainText(
    "an inverse rate exists (USD→HUF 350.5 from 2000-01-01), which is never inverted: an admin enters a HUF→USD rate",
  );
});
