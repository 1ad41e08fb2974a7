import { eq } from "drizzle-orm";
import { exceptions } from "@/db/schema";
import { expect, signIn, test } from "./fixtures/auth";
import { axeViolations, sidewaysOverflow } from "./fixtures/page-checks";
import { seedQueuePostings, seedQueueRun } from "./fixtures/queue";
import { newRunToken } from "./fixtures/telemetry";

/*
 * How the exception queue and an exception page sit on the screen: the bulk bar in view
 * while rows are selected, phone cards without sideways scroll, a confirmation that takes
 * the focus, and 1280/1440 px windows that pass axe in both themes. The journeys through the
 * queue's work are in exceptions.spec.ts.
 */

test("the bulk bar sits directly above the table and stays in view while rows are selected", async ({
  page,
  db,
  signInAs,
}) => {
  const { entity } = await seedQueueRun(db, "E2E-BULK", 2);
  await signInAs("operations", "/exceptions");
  await page.goto(`/exceptions?entity=${entity}`);
  const table = page.getByTestId("exceptions-table");
  await expect(table.locator("tbody tr")).toHaveCount(2);
  await page.getByRole("checkbox", { name: "Select every exception on this page" }).check();
  const bar = page.getByTestId("bulk-actions");
  await expect(bar).toContainText("2 selected");
  // The bar is the sticky strip holding the bulk form and, for failed postings, bulk retry.
  const strip = bar.locator("xpath=..");
  const barBox = (await strip.boundingBox())!;
  const tableBox = (await table.boundingBox())!;
  // Directly above the table: nothing sits between them but a little space.
  expect(tableBox.y - (barBox.y + barBox.height)).toBeGreaterThanOrEqual(0);
  expect(tableBox.y - (barBox.y + barBox.height)).toBeLessThan(40);
  expect(await strip.evaluate((el) => getComputedStyle(el).position)).toBe("sticky");
  await expect(strip.getByRole("button", { name: "Retry 2 failed postings" })).toBeVisible();
});

test("at 390 px the queue is a list of cards and the exception page stacks, without sideways scroll", async ({
  page,
  db,
  makeUser,
}) => {
  const run = newRunToken();
  // A legal entity's name as long as real ones: the entity picker must not widen the page.
  const entity = `E2E-PHONE-${run}-NORTHWIND-TRADERS-DEUTSCHLAND-GMBH-UND-CO-KG`;
  // Ids as long as an ERP's: they must be cut, not push the page sideways.
  const prefix = "2026-SUBSIDIARY-NORTHWIND-";
  await seedQueuePostings(db, run, 2, entity, prefix);
  const operator = await makeUser("operations");
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, operator, "/exceptions");
  await page.goto(`/exceptions?entity=${entity}`);
  const rows = page.getByTestId("exceptions-table").locator("tbody tr");
  await expect(rows).toHaveCount(2);
  expect(await sidewaysOverflow(page)).toEqual([]);
  // A card: the row is a block, its cells stacked under one another, each with its label.
  expect(await rows.first().evaluate((el) => getComputedStyle(el).display)).toBe("block");
  const cells = rows.first().locator("td");
  const firstBox = (await cells.nth(1).boundingBox())!;
  const secondBox = (await cells.nth(2).boundingBox())!;
  expect(secondBox.y).toBeGreaterThan(firstBox.y);
  // Without column headers, "select all" stays in view with its words.
  await expect(
    page.getByRole("checkbox", { name: "Select every exception on this page" }),
  ).toBeVisible();
  // Long ids are cut, with the whole id in the tooltip and a copy button.
  const invoice = rows.first().locator("code", { hasText: `INV-${prefix}${run}` });
  await expect(invoice).toHaveAttribute("title", new RegExp(`Invoice INV-${prefix}${run}-\\d`));
  await expect(rows.first().getByRole("button", { name: /Copy invoice INV-/ })).toBeVisible();

  expect(await axeViolations(page)).toEqual([]);

  await rows.first().getByRole("link").click();
  await expect(page.getByTestId("exception-timeline")).toBeVisible();
  expect(await sidewaysOverflow(page)).toEqual([]);
  expect(await axeViolations(page)).toEqual([]);
  // Stacked: the actions first, the timeline under them.
  const actions = (await page.getByTestId("exception-actions").boundingBox())!;
  const timeline = (await page.getByTestId("exception-timeline").boundingBox())!;
  expect(timeline.y).toBeGreaterThan(actions.y + actions.height);
});

test("on an exception page each action leaves a lasting confirmation that takes the focus", async ({
  page,
  db,
  signInAs,
}) => {
  const { run } = await seedQueueRun(db, "E2E-CONFIRM", 1);
  const [x] = await db
    .select({ id: exceptions.id, problemKey: exceptions.problemKey })
    .from(exceptions)
    .where(eq(exceptions.invoiceId, `INV-${run}-1`));
  const operator = await signInAs("operations", `/exceptions/${x!.id}`);
  await page.goto(`/exceptions/${x!.id}`);

  // Money and dates read as a finance person reads them; internal keys wait behind a disclosure.
  const facts = page.getByRole("region", { name: "Details" });
  await expect(facts).toContainText("1,000.00 EUR");
  await expect(facts).toContainText("UTC");
  const technical = page.getByTestId("technical-details");
  await expect(technical.getByText(x!.problemKey, { exact: true })).toBeHidden();
  await technical.getByText("Technical details").click();
  await expect(technical.getByText(x!.problemKey, { exact: true })).toBeVisible();

  const actions = page.getByTestId("exception-actions");
  await actions.getByRole("button", { name: "Assign to me" }).click();
  const confirmation = actions.getByTestId("action-confirmation").first();
  await expect(confirmation).toHaveText(/Assigned to you\./);
  await expect(confirmation).toHaveAttribute("role", "status");
  await expect(confirmation).toBeFocused();
  await expect(page.getByTestId("exception-owner")).toHaveText(operator.email);

  // It outlives the page's refresh and stays until the next action replaces it.
  await page.waitForTimeout(1500);
  await expect(confirmation).toBeVisible();
  await actions.getByRole("button", { name: "Start work" }).click();
  await expect(confirmation).toHaveText(/Work started/);
  await expect(confirmation).toBeFocused();
});

test("the queue and an exception page fit 1280 and 1440 px windows and pass axe in both themes", async ({
  page,
  db,
  signInAs,
}) => {
  test.slow();
  const { run, entity } = await seedQueueRun(db, "E2E-FIT", 2);
  await signInAs("operations", "/exceptions");
  const [x] = await db
    .select({ id: exceptions.id })
    .from(exceptions)
    .where(eq(exceptions.invoiceId, `INV-${run}-1`));
  for (const width of [1280, 1440]) {
    await page.setViewportSize({ width, height: 900 });
    await page.goto(`/exceptions?entity=${entity}`);
    const table = page.getByTestId("exceptions-table");
    await expect(table.locator("tbody tr")).toHaveCount(2);
    // No column is cut: the table is no wider than its scroll container, the page no wider
    // than the window.
    const wrap = await table.evaluate((el) => {
      const box = el.parentElement!;
      return { scroll: box.scrollWidth, client: box.clientWidth };
    });
    expect(wrap.scroll, `${width} px: the table fits`).toBeLessThanOrEqual(wrap.client);
    expect(await sidewaysOverflow(page)).toEqual([]);
  }
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    for (const path of [`/exceptions?entity=${entity}`, `/exceptions/${x!.id}`]) {
      await page.goto(path);
      await expect(page.locator("main")).toBeVisible();
      expect(await axeViolations(page), `${path} (${colorScheme})`).toEqual([]);
    }
  }
});
