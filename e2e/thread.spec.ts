import { randomBytes } from "node:crypto";
import AxeBuilder from "@axe-core/playwright";
import { expect, signIn, test } from "./fixtures/auth";
import { ingestAccepted, newRunToken } from "./fixtures/telemetry";

/*
 * A support agent (operations) is told a customer paid but still cannot use the product. They
 * find the customer by the start of their id from the shell's search (Ctrl-K), read why the
 * customer is not entitled, and follow the invoice's thread to the stage that is stuck.
 */

const HOUR = 3_600_000;

function seedEvents(run: string) {
  const customerId = `cus_${run}_support`;
  const invoiceId = `INV-${run}-T`;
  const paymentId = `pay_${run}_T`;
  const entity = `E2E-THREAD-${run}`;
  const iso = (hoursAgo: number) => new Date(Date.now() - hoursAgo * HOUR).toISOString();
  const event = (type: string, at: string, data: Record<string, unknown>) => ({
    specversion: "1.0",
    id: `e2e-thread-${run}-${randomBytes(6).toString("hex")}`,
    source: "/e2e/thread",
    type,
    time: at,
    data,
  });
  const events = [
    event("invoice.issued", iso(48), {
      invoiceId,
      customerId,
      entity,
      currency: "EUR",
      amountMinor: 99_000,
      periodStart: iso(30 * 24 + 48),
      periodEnd: iso(50),
      issuedAt: iso(48),
    }),
    ...[1, 2].map((attempt) =>
      event("erp.posting.attempted", iso(47 - attempt), {
        postingId: `PST-${run}-T`,
        invoiceId,
        entity,
        attempt,
        status: "failed",
        attemptedAt: iso(47 - attempt),
        errorCode: "TAX_CODE_MISSING",
        errorMessage: "No tax code for the line",
      }),
    ),
    event("entitlement.updated", iso(24), {
      customerId,
      status: "restricted",
      updatedAt: iso(24),
      reason: "invoice_overdue_1d",
    }),
    event("payment.received", iso(3), {
      paymentId,
      customerId,
      invoiceId,
      currency: "EUR",
      amountMinor: 99_000,
      receivedAt: iso(3),
    }),
  ];
  return { customerId, invoiceId, paymentId, events };
}

test("a support agent finds a customer by id and learns why they are not entitled", async ({
  page,
  db,
  makeUser,
}) => {
  test.slow();
  const run = newRunToken();
  const seeded = seedEvents(run);
  await ingestAccepted(db, seeded.events);
  const agent = await makeUser("operations");
  await signIn(page, agent, "/exceptions");
  await page.goto("/exceptions");

  // Ctrl-K focuses the shell's search from anywhere, once the page is interactive: a press
  // before the shell's script has attached its listener does nothing, so it is pressed again.
  const search = page.getByRole("combobox", { name: /Find by id/ });
  await expect(async () => {
    await page.keyboard.press("Control+k");
    await expect(search).toBeFocused({ timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  await search.fill(seeded.customerId.slice(0, -3));
  const results = page.getByRole("listbox", { name: "Search results" });
  const customer = results.getByRole("option", {
    name: new RegExp(`Customer ${seeded.customerId}`),
  });
  await expect(customer).toBeVisible();
  await expect(search).toHaveAttribute("aria-expanded", "true");
  await expect(customer).toHaveAttribute("aria-selected", "true");
  await search.press("Enter");

  await expect(page).toHaveURL(new RegExp(`/threads/customer/${seeded.customerId}$`));
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Customer ${seeded.customerId}`);
  const answer = page.getByTestId("entitlement-answer");
  await expect(answer).toContainText("Not entitled.");
  await expect(answer).toContainText(
    `payment ${seeded.paymentId} of 990.00 EUR was received 3 h ago`,
  );
  await expect(answer).toContainText("the payment-to-entitlement sync is stuck");

  const { violations } = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21aa"])
    .analyze();
  expect(violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);

  // The invoice's thread: the posting is the first thing stuck, and entitlement waits on
  // the payment, not on the posting.
  await page.getByRole("link", { name: `Invoice ${seeded.invoiceId}` }).click();
  await expect(page).toHaveURL(new RegExp(`/threads/invoice/${seeded.invoiceId}$`));
  const timeline = page.getByRole("list", {
    name: `Revenue thread of invoice ${seeded.invoiceId}`,
  });
  const hops = timeline.locator(":scope > li");
  await expect(hops).toHaveCount(5);
  await expect(hops.getByRole("heading")).toHaveText([
    "Usage",
    "Invoice",
    "ERP posting",
    "Payment",
    "Entitlement",
  ]);
  await expect(page.getByTestId("hop-erp_posting").getByTestId("hop-status")).toHaveText("stuck");
  await expect(page.getByTestId("hop-erp_posting")).toContainText("First problem on this thread");
  await expect(page.getByTestId("hop-payment").getByTestId("hop-status")).toHaveText("done");
  await expect(page.getByTestId("hop-entitlement").getByTestId("hop-status")).toHaveText("stuck");
  await expect(page.getByTestId("thread-sentence")).toHaveText(
    "ERP posting failed twice: TAX_CODE_MISSING; payment done, entitlement stuck.",
  );
  // Its exceptions link to their pages.
  await page
    .getByTestId("thread-exceptions")
    .getByRole("link", { name: new RegExp(`ERP posting of ${seeded.invoiceId} failed`) })
    .click();
  await expect(page).toHaveURL(/\/exceptions\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId("thread-links")).toContainText(
    `thread of invoice ${seeded.invoiceId}`,
  );
});

test("an unknown id has no thread", async ({ page, makeUser }) => {
  const agent = await makeUser("operations");
  await signIn(page, agent, "/exceptions");
  const response = await page.goto("/threads/invoice/INV-NOBODY-AT-ALL");
  expect(response?.status()).toBe(404);
});
