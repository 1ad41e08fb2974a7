import { randomBytes } from "node:crypto";
import { and, eq, inArray } from "drizzle-orm";
import { auditLog, exceptions } from "@/db/schema";
import { ingestItems } from "@/lib/ingest/ingest";
import { expect, signIn, test } from "./fixtures/auth";

/*
 * The queue journey: an operations user signs in, narrows the queue to the failed ERP
 * postings of a run of their own, selects three of them and resolves them in one go with a
 * reason; the three leave the open queue, the fourth stays, and the audit log holds one
 * entry per exception with the user, the reason and before/after — which an admin sees too.
 *
 * The suite shares one database, so the test's invoices carry a run token of their own and
 * the queue is filtered down to it.
 */

async function seedFailedPostings(
  db: Parameters<typeof ingestItems>[0],
  run: string,
  count: number,
) {
  const entity = "E2E-QUEUES";
  const at = new Date(Date.now() - 30 * 3_600_000).toISOString();
  const event = (type: string, data: Record<string, unknown>) => ({
    specversion: "1.0",
    id: `e2e-queues-${run}-${randomBytes(6).toString("hex")}`,
    source: "/e2e/queues",
    type,
    time: at,
    data,
  });
  const events = Array.from({ length: count }, (_, i) => {
    const invoiceId = `INV-${run}-${i + 1}`;
    return [
      event("invoice.issued", {
        invoiceId,
        customerId: `cus_${run}`,
        entity,
        currency: "EUR",
        amountMinor: 100_000 * (i + 1),
        periodStart: at,
        periodEnd: at,
        issuedAt: at,
      }),
      event("erp.posting.attempted", {
        postingId: `PST-${run}-${i + 1}`,
        invoiceId,
        entity,
        attempt: 1,
        status: "failed",
        attemptedAt: at,
        errorCode: "GL_PERIOD_CLOSED",
        errorMessage: "Accounting period is closed for posting",
      }),
    ];
  }).flat();
  const result = await ingestItems(db, events, { apiKeyId: null, channel: "api" });
  expect(result.rejected).toEqual([]);
}

test("an operations user filters the queue, bulk-resolves three exceptions, and the audit log has them", async ({
  page,
  browser,
  db,
  makeUser,
}) => {
  // Two users, two sign-ins and a bulk action: more than the default 30 s on a busy runner.
  test.slow();
  const run = randomBytes(4).toString("hex").toUpperCase();
  await seedFailedPostings(db, run, 4);
  const operator = await makeUser("operations");

  await signIn(page, operator, "/exceptions");
  await page.goto("/exceptions");
  const table = page.getByTestId("exceptions-table");
  await expect(table).toBeVisible();

  // Filter: the ERP posting tab, then a search for this run's invoices.
  await page
    .getByRole("navigation", { name: "Exception types" })
    .getByRole("link", { name: /ERP posting failed/ })
    .click();
  await expect(page).toHaveURL(/type=erp_posting_failed/);
  const search = page.getByRole("searchbox", { name: "Search" });
  await search.fill(run);
  await search.press("Enter");
  await expect(page).toHaveURL(new RegExp(`q=${run}`));
  const rows = table.locator("tbody tr");
  await expect(rows).toHaveCount(4);
  await expect(page.getByTestId("queue-total")).toContainText("4 exceptions");

  // The filtered view is a link: a reload shows the same rows.
  await page.reload();
  await expect(rows).toHaveCount(4);

  // Select three: two by click, one from the keyboard.
  const titles = [1, 2, 3].map((i) => `ERP posting of INV-${run}-${i} failed: GL_PERIOD_CLOSED`);
  await page.getByRole("checkbox", { name: `Select ${titles[0]}` }).check();
  await page.getByRole("checkbox", { name: `Select ${titles[1]}` }).check();
  const third = page.getByRole("checkbox", { name: `Select ${titles[2]}` });
  await third.focus();
  await page.keyboard.press("Space");
  await expect(third).toBeChecked();

  const bulk = page.getByTestId("bulk-actions");
  await expect(bulk).toContainText("3 selected");
  await bulk.getByLabel("Action").selectOption("resolve");
  await bulk.getByLabel("Reason").selectOption("fixed_in_source");
  await bulk.getByLabel(/Note/).fill("Period reopened in the ERP; postings went through");
  await bulk.getByRole("button", { name: "Resolve 3" }).click();

  await expect(page.getByTestId("bulk-outcome")).toHaveText("Resolved 3 exceptions.");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(`INV-${run}-4`);

  // The audit log: one user entry per exception, with the reason and before/after.
  const resolved = await db
    .select({ id: exceptions.id, status: exceptions.status, closedBy: exceptions.closedBy })
    .from(exceptions)
    .where(
      inArray(
        exceptions.postingId,
        [1, 2, 3].map((i) => `PST-${run}-${i}`),
      ),
    );
  expect(resolved).toHaveLength(3);
  expect(resolved.every((x) => x.status === "resolved" && x.closedBy === operator.id)).toBe(true);
  const entries = await db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, "exception.resolved"), eq(auditLog.actorId, operator.id)));
  expect(entries.map((e) => e.targetId).sort()).toEqual(resolved.map((x) => x.id).sort());
  for (const entry of entries) {
    expect(entry).toMatchObject({
      actorType: "user",
      actorLabel: operator.email,
      before: { status: "open" },
      after: { status: "resolved", resolutionCode: "fixed_in_source" },
    });
  }

  // An admin reading the audit log sees the same three entries.
  const adminUser = await makeUser("admin");
  const adminContext = await browser.newContext();
  try {
    const adminPage = await adminContext.newPage();
    await signIn(adminPage, adminUser, "/admin/audit");
    await adminPage.goto(
      `/admin/audit?action=exception.resolved&actor=${encodeURIComponent(operator.email)}`,
    );
    await expect(adminPage.getByTestId("audit-table").locator("tbody tr")).toHaveCount(3);
  } finally {
    await adminContext.close();
  }
});

test("an admin reads the queue and an exception but is offered no actions", async ({
  page,
  db,
  makeUser,
}) => {
  const run = randomBytes(4).toString("hex").toUpperCase();
  await seedFailedPostings(db, run, 1);
  const admin = await makeUser("admin");
  await signIn(page, admin, "/exceptions");
  await page.goto(`/exceptions?q=${run}`);
  const table = page.getByTestId("exceptions-table");
  await expect(table.locator("tbody tr")).toHaveCount(1);
  await expect(table.getByRole("checkbox")).toHaveCount(0);
  await table.getByRole("link", { name: new RegExp(`INV-${run}-1`) }).click();
  await expect(page.getByTestId("exception-timeline")).toContainText(
    "Raised from telemetry by Closeline",
  );
  await expect(page.getByTestId("exception-actions")).toContainText(
    "can read exceptions but not work on them",
  );
  await expect(page.getByTestId("exception-actions").getByRole("button")).toHaveCount(0);
});
