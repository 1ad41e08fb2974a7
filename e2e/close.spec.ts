import { randomBytes } from "node:crypto";
import type { Db } from "@/db/client";
import type { Role } from "@/db/schema";
import { expect, test as authTest } from "./fixtures/auth";
import { expectAxeCleanInBothThemes, expectNoSidewaysScrollAt390 } from "./fixtures/page-checks";
import { ingestAccepted } from "./fixtures/telemetry";
import { lastMonthEvents } from "./fixtures/close-month";

/*
 * Close readiness for last month. An executive opens the Close section on the portfolio of
 * every entity, finds the seeded entity NO-GO with its blocker, clicks through to its checklist,
 * sees the blockers that cause it (without the links into queues they may not open), and
 * prints it; a finance user closes the period over its blockers with a reason and reopens it.
 *
 * The suite shares one database, so each test seeds an entity of its own for last month.
 */

/**
 * Last month of a new entity: complete usage, one invoice posted, one whose posting failed,
 * so NO-GO on "invoices posted".
 */
async function seedEntity(db: Db) {
  const run = randomBytes(4).toString("hex");
  const entity = `E2E-CLOSE-${run.toUpperCase()}`;
  const telemetry = lastMonthEvents(run, entity, "/e2e/close");
  const stuck = `INV-${run}-STUCK`;
  await ingestAccepted(db, [
    telemetry.completeUsage(),
    telemetry.invoice(`INV-${run}-OK`, "EUR", 129_900),
    telemetry.posting(`INV-${run}-OK`, "succeeded"),
    telemetry.invoice(stuck, "EUR", 129_900),
    telemetry.posting(stuck, "failed"),
  ]);
  return { entity, stuck, month: telemetry.month };
}

type Seeded = Awaited<ReturnType<typeof seedEntity>>;

const test = authTest.extend<{
  /** Seeds an entity of the test's own for last month, then signs in a new user of `role` at `path`. */
  seededAs: (role: Role, path?: string) => Promise<Seeded>;
}>({
  seededAs: async ({ db, signInAs }, provide) => {
    await provide(async (role, path) => {
      const seeded = await seedEntity(db);
      await signInAs(role, path);
      return seeded;
    });
  },
});

test("an executive opens close readiness for last month and sees the blockers", async ({
  page,
  seededAs,
}) => {
  const { entity, stuck, month } = await seededAs("executive");

  await page
    .getByRole("navigation", { name: "Main" })
    .getByRole("link", { name: "Close", exact: true })
    .click();
  // The Close section opens on the portfolio: every entity, six months through last month.
  await expect(page.getByRole("heading", { name: "Close portfolio" })).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`/close\\?through=${month.key}$`));
  await expect(
    page.getByRole("form", { name: "Months shown" }).getByLabel("Six months through"),
  ).toHaveValue(month.key);
  // Close has pickers of its own; the shell's entity and time-range bar is not shown.
  await expect(page.getByRole("search", { name: "Filters" })).toHaveCount(0);
  const grid = page.getByTestId("close-portfolio");
  const months = grid.locator("thead th");
  await expect(months).toHaveCount(7);
  await expect(months.nth(1)).toHaveText(month.label);
  const row = grid.getByRole("row").filter({ has: page.getByRole("rowheader", { name: entity }) });
  await expect(row.getByTestId("portfolio-cell")).toHaveCount(6);
  const cell = row.locator(`[data-testid="portfolio-cell"][data-period="${month.key}"]`);
  await expect(cell).toHaveAttribute("data-verdict", "no_go");
  await expect(cell).toContainText("NO-GO");
  await expect(cell).toContainText("1 blocker");
  await expect(cell).toContainText("Invoices not posted");
  // The summary answers "who can close, what blocks the others" for last month.
  await expect(page.getByTestId("portfolio-summary")).toContainText(
    `${entity}: NO-GO, 1 blocker (Invoices not posted 1)`,
  );

  // One click to the entity-month checklist.
  await cell.getByRole("link").click();
  await expect(page).toHaveURL(new RegExp(`entity=${entity}&period=${month.key}`));
  await expect(page.getByRole("heading", { name: "Close readiness" })).toBeVisible();
  const picker = page.getByRole("form", { name: "Entity and period" });
  await expect(picker.getByLabel("Accounting period")).toHaveValue(month.key);
  await expect(picker.getByLabel("Entity")).toHaveValue(entity);

  const verdict = page.getByTestId("close-verdict");
  await expect(verdict).toContainText("NO-GO");
  await expect(verdict).toContainText(
    `${entity} ${month.label} is not ready to close: 1 of 6 checks fail.`,
  );

  const erp = page.getByTestId("check-invoices_posted");
  await expect(erp).toHaveAttribute("data-passed", "false");
  await expect(erp).toContainText(
    "1 of 2 invoices issued in the period has no successful ERP posting.",
  );
  const blocker = erp.getByTestId("blocker");
  await expect(blocker).toHaveCount(1);
  await expect(blocker).toContainText(stuck);
  await expect(blocker).toContainText("GL_ACCOUNT_BLOCKED — Revenue account 4000 is blocked");
  await expect(blocker).toContainText("1,299.00 EUR");
  // Executives may not open the exception queue: no link there, and no close controls.
  await expect(blocker.getByRole("link")).toHaveCount(0);
  await expect(page.getByRole("button", { name: /Mark .* closed/ })).toHaveCount(0);
  await expect(page.getByTestId("check-usage_complete")).toHaveAttribute("data-passed", "true");

  // The CSV carries the same blocker.
  const csv = await page.request.get(
    `/api/v1/close-readiness.csv?entity=${entity}&period=${month.key}`,
  );
  expect(csv.status()).toBe(200);
  expect(await csv.text()).toContain(
    `,invoices_posted,Every issued invoice posted to the ERP,fail,`,
  );

  // Printed, the shell and the controls go and the verdict and blockers stay.
  await page.emulateMedia({ media: "print" });
  await expect(page.getByRole("navigation", { name: "Main" })).toBeHidden();
  await expect(picker).toBeHidden();
  await expect(verdict).toBeVisible();
  await expect(blocker).toBeVisible();
});

test("a finance user closes last month over its blockers, with a reason, and reopens it", async ({
  page,
  seededAs,
}) => {
  const { entity, month } = await seededAs("finance", "/close");
  await page.goto(`/close?entity=${entity}&period=${month.key}`);

  await page
    .getByLabel("The period is NO-GO. Why close it over its blockers?")
    .fill("Posting fixed on the 2nd; CFO accepts");
  await page.getByRole("button", { name: `Mark ${month.label} closed` }).click();
  await expect(page.getByRole("main").getByRole("status")).toContainText(
    `${entity} ${month.label} is closed over its blockers`,
  );
  await expect(page.getByTestId("close-verdict")).toContainText("Period marked closed");

  await page.getByLabel(`Why reopen ${month.label}?`).fill("Late credit note");
  await page.getByRole("button", { name: `Reopen ${month.label}` }).click();
  await expect(page.getByText(`${entity} ${month.label} is open again.`)).toBeVisible();
  await expect(page.getByTestId("close-verdict")).toContainText("Period not marked closed");
});

test("the portfolio works from the keyboard, fits a phone and passes axe in both themes", async ({
  page,
  seededAs,
}) => {
  const { entity, month } = await seededAs("finance", "/close");
  await expect(page.getByRole("heading", { name: "Close portfolio" })).toBeVisible();

  await expectAxeCleanInBothThemes(page);
  await expectNoSidewaysScrollAt390(page);

  // The grid scrolls inside its own region, which takes focus; its cells are links.
  const region = page.getByRole("region", { name: "Close portfolio grid" });
  await region.focus();
  await expect(region).toBeFocused();
  const link = page
    .locator(`[data-testid="portfolio-cell"][data-entity="${entity}"][data-period="${month.key}"]`)
    .getByRole("link");
  await link.focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(new RegExp(`entity=${entity}&period=${month.key}`));
  await expect(page.getByTestId("close-verdict")).toContainText("NO-GO");

  // And back to every entity in one step.
  await page.getByRole("link", { name: "← Close portfolio: all entities" }).click();
  await expect(page.getByRole("heading", { name: "Close portfolio" })).toBeVisible();
});
