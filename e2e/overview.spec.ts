import { randomBytes } from "node:crypto";
import type { Page } from "@playwright/test";
import { expect, signIn, test } from "./fixtures/auth";
import type { Db } from "@/db/client";
import { ingestAccepted, newRunToken } from "./fixtures/telemetry";

/*
 * A finance user's journey through the overview: the tiles show their numbers and status,
 * a tile drills down to the records behind it (and on to a raw event), and the filters —
 * kept in the URL — survive a reload and a link shared with someone who must sign in first.
 *
 * The suite shares one database, so the data here belongs to an entity of its own and every
 * assertion is made with that entity selected.
 */

const HOUR = 3_600_000;

function seedEvents(entity: string, run: string) {
  const now = Date.now();
  const issuedAt = new Date(now - 2 * 24 * HOUR);
  const event = (type: string, data: Record<string, unknown>) => ({
    specversion: "1.0",
    id: `e2e-ov-${run}-${type}-${randomBytes(4).toString("hex")}`,
    source: "/e2e/overview",
    type,
    time: issuedAt.toISOString(),
    data,
  });
  // Three invoices issued two days ago, 2 h, 5 h and 30 h after their period ended:
  // p95 (continuous) = 5 h + 0.9 × 25 h = 27.5 h, shown "1 d 4 h".
  const invoices = [2, 5, 30].map((latencyHours, i) =>
    event("invoice.issued", {
      invoiceId: `INV-${run}-${i + 1}`,
      customerId: `cus_${run}`,
      entity,
      currency: "EUR",
      amountMinor: 10_000 * (i + 1),
      periodStart: new Date(
        issuedAt.getTime() - latencyHours * HOUR - 30 * 24 * HOUR,
      ).toISOString(),
      periodEnd: new Date(issuedAt.getTime() - latencyHours * HOUR).toISOString(),
      issuedAt: issuedAt.toISOString(),
    }),
  );
  const attempt = (
    postingId: string,
    invoiceId: string,
    n: number,
    status: string,
    minutes: number,
  ) =>
    event("erp.posting.attempted", {
      postingId,
      invoiceId,
      entity,
      attempt: n,
      status,
      attemptedAt: new Date(issuedAt.getTime() + minutes * 60_000).toISOString(),
      ...(status === "failed" ? { errorCode: "GL_PERIOD_CLOSED", errorMessage: "closed" } : {}),
    });
  // One posting succeeds at once, the other only on its second attempt: first pass 50%.
  const postings = [
    attempt(`PST-${run}-A`, `INV-${run}-1`, 1, "succeeded", 5),
    attempt(`PST-${run}-B`, `INV-${run}-2`, 1, "failed", 5),
    attempt(`PST-${run}-B`, `INV-${run}-2`, 2, "succeeded", 65),
  ];
  return [...invoices, ...postings];
}

const tile = (page: Page, id: string) => page.getByTestId(`tile-${id}`);

/** Two results for `entity`, one break 40 days ago (outside the last 7 days) and one agreement yesterday. */
function seedReconciliation(entity: string, run: string) {
  const now = Date.now();
  const result = (key: string, daysAgo: number, actualMinor: number) => {
    const periodEnd = new Date(now - daysAgo * 24 * HOUR).toISOString();
    return {
      specversion: "1.0",
      id: `e2e-ov-${run}-recon-${key}`,
      source: "/e2e/overview",
      type: "reconciliation.result",
      time: periodEnd,
      data: {
        runId: `RUN-${run}-${key}`,
        kind: "billing_vs_erp",
        entity,
        periodStart: new Date(Date.parse(periodEnd) - 30 * 24 * HOUR).toISOString(),
        periodEnd,
        key: `cus_${run}`,
        currency: "EUR",
        expectedMinor: 50_000,
        actualMinor,
      },
    };
  };
  return [result("old-break", 40, 45_000), result("agrees", 1, 50_000)];
}

/** An entity of its own, `<prefix>-<run>`, holding the events `seed` makes for it. */
async function seedEntity(
  db: Db,
  prefix: string,
  seed: (entity: string, run: string) => unknown[],
): Promise<{ run: string; entity: string }> {
  const run = newRunToken();
  const entity = `${prefix}-${run}`;
  await ingestAccepted(db, seed(entity, run));
  return { run, entity };
}

test("a finance user reads the overview, drills into the records, and keeps the filters", async ({
  page,
  browser,
  db,
  makeUser,
}) => {
  const { run, entity } = await seedEntity(db, "E2E-OV", seedEvents);
  const user = await makeUser("finance");

  // Sign in through the form; finance lands on the overview.
  await signIn(page, user);
  await expect(page).toHaveURL(/\/overview/);
  await expect(page.getByRole("heading", { name: "Overview", level: 1 })).toBeVisible();

  // Filter to this test's entity and the last 7 days: both go into the URL.
  await page.getByLabel("Entity").selectOption(entity);
  await expect(page).toHaveURL(new RegExp(`entity=${entity}`));
  await page.getByLabel("Time range").selectOption("7d");
  await expect(page).toHaveURL(/range=7d/);
  await expect(page.getByTestId("overview-range")).toContainText(entity);

  // The tiles: value, status in words, definition.
  await expect(tile(page, "invoice-latency").getByTestId("tile-value")).toHaveText("1 d 4 h");
  await expect(tile(page, "invoice-latency")).toContainText("3 invoices issued");
  await expect(tile(page, "invoice-latency")).toContainText("Warning");
  await expect(tile(page, "erp-first-pass").getByTestId("tile-value")).toHaveText("50.00%");
  await expect(tile(page, "erp-first-pass")).toContainText("Off target");
  // Nothing reconciled for this entity: no data, never green.
  await expect(tile(page, "reconciliation")).toHaveAttribute("data-status", "no-data");
  await expect(tile(page, "reconciliation")).toContainText("No data");
  await tile(page, "invoice-latency").getByText("Definition").click();
  await expect(tile(page, "invoice-latency")).toContainText("issuedAt − periodEnd");

  // The filters survive a reload.
  await page.reload();
  await expect(page.getByLabel("Entity")).toHaveValue(entity);
  await expect(page.getByLabel("Time range")).toHaveValue("7d");
  await expect(tile(page, "invoice-latency").getByTestId("tile-value")).toHaveText("1 d 4 h");

  // Drill from the latency tile to the invoices behind it, slowest first.
  await tile(page, "invoice-latency")
    .getByRole("link", { name: /Records behind/ })
    .click();
  await expect(page).toHaveURL(new RegExp(`/overview/invoice-latency\\?.*entity=${entity}`));
  await expect(page).toHaveURL(/range=7d/);
  await expect(page.getByTestId("records-summary")).toHaveText("3 invoices issued in the range");
  const rows = page.getByTestId("records-table").locator("tbody tr");
  await expect(rows).toHaveCount(3);
  await expect(rows.first()).toContainText(`INV-${run}-3`);
  await expect(rows.first()).toContainText("1 d 6 h");
  const drillUrl = page.url();

  // …and on to the raw event of an invoice.
  await rows
    .first()
    .getByRole("link", { name: `INV-${run}-3` })
    .click();
  await expect(page).toHaveURL(/\/events\/\d+$/);
  await expect(page.getByTestId("raw-event")).toContainText(`"invoiceId": "INV-${run}-3"`);

  // The failed first pass, from the posting tile's detail link.
  await page.goBack();
  await page.getByRole("link", { name: "← Overview" }).click();
  await tile(page, "erp-first-pass").getByRole("link", { name: "1 failed at attempt 1" }).click();
  await expect(page).toHaveURL(/\/overview\/erp-postings\?.*view=first-pass-failed/);
  const postings = page.getByTestId("records-table").locator("tbody tr");
  await expect(postings).toHaveCount(1);
  await expect(postings.first()).toContainText(`PST-${run}-B`);
  await expect(postings.first()).toContainText("GL_PERIOD_CLOSED");

  // A shared link: someone else opens it, signs in, and sees the same filtered records.
  const colleague = await makeUser("finance");
  const other = await browser.newContext({ baseURL: test.info().project.use.baseURL });
  try {
    const theirs = await other.newPage();
    await theirs.goto(drillUrl);
    await expect(theirs).toHaveURL(/\/sign-in\?callbackUrl=/);
    await theirs.getByLabel("Email").fill(colleague.email);
    await theirs.getByLabel("Password").fill(colleague.password);
    await theirs.getByRole("button", { name: "Sign in" }).click();
    await expect(theirs).toHaveURL(drillUrl);
    await expect(theirs.getByLabel("Entity")).toHaveValue(entity);
    await expect(theirs.getByTestId("records-table").locator("tbody tr")).toHaveCount(3);
  } finally {
    await other.close();
  }
});

test("a range without breaks still shows the breaks open now, as the queue counts them, and an empty chart says so", async ({
  page,
  db,
  signInAs,
}) => {
  const { entity } = await seedEntity(db, "E2E-OVQ", seedReconciliation);
  await signInAs("finance");
  await page.goto(`/overview?entity=${entity}&range=7d`);

  // In the last 7 days every result agreed: on target, and the old break beside it.
  const recon = tile(page, "reconciliation");
  await expect(recon.getByTestId("tile-value")).toHaveText("0");
  await expect(recon).toHaveAttribute("data-status", "ok");
  await expect(recon.getByTestId("tile-measures")).toContainText("in the range");
  const openNow = recon.getByTestId("tile-open-now");
  await expect(openNow).toHaveText(/1 reconciliation break open now/);
  const shown = Number(await openNow.getAttribute("data-count"));
  expect(shown).toBe(1);

  // Nothing metered or invoiced for this entity: the charts say what did not happen.
  await expect(page.getByTestId("chart-completeness").getByTestId("chart-empty")).toHaveText(
    "No usage window ended in this range",
  );
  await expect(page.getByTestId("chart-invoice-latency").getByTestId("chart-empty")).toHaveText(
    "No invoices issued in this range",
  );
  await expect(tile(page, "invoice-latency").getByTestId("tile-no-series")).toHaveText(
    "No invoices issued in this range",
  );

  // The records behind the tile: no break in the range, and the same open count beside them.
  await recon.getByRole("link", { name: /Records behind/ }).click();
  await expect(page).toHaveURL(/\/overview\/reconciliation\?/);
  await expect(page.getByTestId("records-open-now")).toHaveAttribute("data-count", String(shown));
  await page.getByRole("link", { name: "← Overview" }).click();

  // The link opens the queue on that type and entity, whose tab counts the same.
  await openNow.getByRole("link").click();
  await expect(page).toHaveURL(/\/exceptions\?/);
  await expect(page).toHaveURL(/type=reconciliation_break/);
  await expect(page).toHaveURL(new RegExp(`entity=${entity}`));
  const tab = page
    .getByRole("navigation", { name: "Exception types" })
    .getByRole("link", { name: /Reconciliation break/ });
  await expect(tab).toHaveText(new RegExp(`Reconciliation break\\s*${shown}$`));
  await expect(page.getByTestId("exceptions-table").locator("tbody tr")).toHaveCount(shown);
});
