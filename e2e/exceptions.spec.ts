import { randomBytes } from "node:crypto";
import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "@/db/client";
import { auditLog, exceptions, fxRates } from "@/db/schema";
import { SYSTEM_ACTOR } from "@/lib/audit";
import { saveSlaPolicy } from "@/lib/exceptions/sla-settings";
import { expect, signIn, test } from "./fixtures/auth";
import { seedQueuePostings, seedQueueRun } from "./fixtures/queue";
import { newRunToken } from "./fixtures/telemetry";

/*
 * The queue journey: an operations user signs in, narrows the queue to the failed ERP
 * postings of a run of their own, selects three of them and resolves them in one go with a
 * reason; the three leave the open queue, the fourth stays, and the audit log holds one
 * entry per exception with the user, the reason and before/after — which an admin sees too.
 *
 * The suite shares one database, so the test's invoices carry a run token of their own and
 * the queue is filtered down to it.
 */

test("an operations user filters the queue, bulk-resolves three exceptions, and the audit log has them", async ({
  page,
  db,
  makeUser,
  signInElsewhere,
}) => {
  // Two users, two sign-ins and a bulk action: more than the default 30 s on a busy runner.
  test.slow();
  const run = newRunToken();
  await seedQueuePostings(db, run, 4);
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
  const adminPage = await signInElsewhere(await makeUser("admin"), "/admin/audit");
  await adminPage.goto(
    `/admin/audit?action=exception.resolved&actor=${encodeURIComponent(operator.email)}`,
  );
  await expect(adminPage.getByTestId("audit-table").locator("tbody tr")).toHaveCount(3);
});

test("an admin reads the queue and an exception but is offered no actions", async ({
  page,
  db,
  signInAs,
}) => {
  const run = newRunToken();
  await seedQueuePostings(db, run, 1);
  await signInAs("admin", "/exceptions");
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

/** An open exception no close-readiness check counts (its type has no check). */
async function seedUncheckedException(db: Db, entity: string) {
  const [row] = await db
    .insert(exceptions)
    .values({
      type: "entitlement_out_of_sync",
      problemKey: `e2e-unchecked-${randomBytes(6).toString("hex")}`,
      status: "open",
      severity: "high",
      title: `Entitlement of ${entity} out of sync`,
      entity,
      amountMinor: 9_999_999,
      currency: "EUR",
      openedAt: new Date(Date.now() - 3_600_000),
    })
    .returning();
  return row!;
}

test("the queue sorts by amount at risk and narrows to what blocks a close, in the URL", async ({
  page,
  db,
  signInAs,
}) => {
  test.slow();
  // Three unposted invoices of 1,000.00, 2,000.00 and 3,000.00 EUR block the month's close;
  // the entitlement exception (99,999.99 EUR) is the largest but blocks nothing.
  const { entity } = await seedQueueRun(db, "E2E-BLOCK", 3);
  const unchecked = await seedUncheckedException(db, entity);
  await signInAs("operations", "/exceptions");
  await page.goto(`/exceptions?entity=${entity}`);
  const rows = page.getByTestId("exceptions-table").locator("tbody tr");
  await expect(rows).toHaveCount(4);
  // The queue says which of the shell's filters it ignores.
  await expect(page.getByTestId("queue-scope")).toContainText("Ignored here: the time range");

  const filters = page.getByRole("search", { name: "Filter the queue" });
  await filters.getByLabel("Sort by").selectOption({ label: "Amount at risk, largest first" });
  await expect(page).toHaveURL(/sort=amount/);
  await expect(page.getByTestId("queue-total")).toContainText(
    "sorted by amount at risk, largest first (each in its own currency, not converted)",
  );
  await expect(rows.getByTestId("queue-amount")).toHaveText([
    "99,999.99 EUR",
    "3,000.00 EUR",
    "2,000.00 EUR",
    "1,000.00 EUR",
  ]);

  await filters.getByRole("checkbox", { name: "Blocks a close" }).check();
  await expect(page).toHaveURL(/blocking=true/);
  await expect(rows).toHaveCount(3);
  await expect(page.locator(`[data-exception-id="${unchecked.id}"]`)).toHaveCount(0);
  await expect(rows.getByTestId("queue-amount")).toHaveText([
    "3,000.00 EUR",
    "2,000.00 EUR",
    "1,000.00 EUR",
  ]);
  await expect(page.getByTestId("queue-total")).toContainText("3 exceptions · blocking a close");

  // The view is a link: a reload keeps the filter and the order.
  await page.reload();
  await expect(rows).toHaveCount(3);
  await expect(filters.getByRole("checkbox", { name: "Blocks a close" })).toBeChecked();
  await expect(rows.getByTestId("queue-amount").first()).toHaveText("3,000.00 EUR");
});

test("an admin shortens a type's SLA on the settings page and the queue's badge follows", async ({
  page,
  db,
  signInAs,
}) => {
  test.slow();
  // 30 hours old: within the default 72 h SLA.
  const { entity } = await seedQueueRun(db, "E2E-SLA", 1);
  const admin = await signInAs("admin", "/exceptions");
  await page.goto(`/exceptions?entity=${entity}`);
  const row = page.getByTestId("exceptions-table").locator("tbody tr").first();
  await expect(row).toContainText("Over 24 h");
  await expect(row).not.toContainText("SLA breached");

  try {
    await page.goto("/admin/settings");
    const form = page.getByTestId("sla-form");
    await form.getByLabel("ERP posting failed: warning after").fill("2");
    await form.getByLabel("ERP posting failed: SLA breached after").fill("12");
    await form.getByRole("button", { name: "Save SLA targets" }).click();
    await expect(form.getByRole("status")).toContainText("SLA targets saved");

    await page.goto(`/exceptions?entity=${entity}`);
    await expect(row).toContainText("SLA breached (over 12 h)");
    const [entry] = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.targetId, "exceptions.sla"), eq(auditLog.actorId, admin.id)));
    expect(entry).toMatchObject({
      action: "setting.updated",
      after: { erp_posting_failed: { warningHours: 2, breachHours: 12 } },
    });
  } finally {
    // The suite shares one database: other journeys expect the default targets.
    await saveSlaPolicy(db, {}, SYSTEM_ACTOR);
  }
});

test("the queue sorts by amount at risk in the reporting currency, saying which are unknown", async ({
  page,
  db,
  signInAs,
}) => {
  test.slow();
  const entity = `E2E-FX-${newRunToken()}`;
  // Rates into USD (the default reporting currency) from long before any exception here.
  await db
    .insert(fxRates)
    .values(
      [
        ["EUR", "1.1"],
        ["JPY", "0.0067"],
      ].map(([currency, rate]) => ({
        currency: currency!,
        reportingCurrency: "USD",
        effectiveDate: "2000-01-01",
        rate: rate!,
        source: "admin" as const,
        at: new Date("2000-01-01T00:00:00Z"),
      })),
    )
    .onConflictDoNothing();
  const amounts: [number | null, string | null][] = [
    [100_000, "EUR"], // 1,000.00 EUR → 1,100.00 USD
    [300_000, "JPY"], // ¥300,000 → 2,010.00 USD
    [150_000, "USD"], // 1,500.00 USD
    [null, null], // unknown
    [50_000, "GBP"], // no GBP rate
  ];
  for (const [i, [amountMinor, currency]] of amounts.entries()) {
    await db.insert(exceptions).values({
      type: "reconciliation_break",
      problemKey: `e2e-fx-${randomBytes(6).toString("hex")}`,
      status: "open",
      title: `Break ${i} of ${entity}`,
      entity,
      amountMinor,
      currency,
      openedAt: new Date(Date.now() - (i + 1) * 3_600_000),
    });
  }
  await signInAs("operations", "/exceptions");
  await page.goto(`/exceptions?entity=${entity}`);
  const rows = page.getByTestId("exceptions-table").locator("tbody tr");
  await expect(rows).toHaveCount(5);
  const filters = page.getByRole("search", { name: "Filter the queue" });
  await filters.getByLabel("Sort by").selectOption({
    label: "Amount at risk in the reporting currency, largest first",
  });
  await expect(page).toHaveURL(/sort=reporting_amount/);
  await expect(rows.getByTestId("queue-reporting-amount").first()).toHaveText("2,010.00 USD");
  await expect(rows.getByTestId("queue-reporting-amount").nth(1)).toHaveText("1,500.00 USD");
  await expect(rows.getByTestId("queue-reporting-amount").nth(2)).toHaveText("1,100.00 USD");
  // The two it cannot convert come last, in words, never as 0.
  const rest = await rows.getByTestId("queue-reporting-amount").allTextContents();
  expect(rest.slice(3).sort()).toEqual(["no GBP→USD rate", "unknown"]);
  await expect(rows.getByTestId("queue-amount")).toContainText(["unknown"]);

  // The bound in the reporting currency is in the URL and keeps the two above 1,200.00 USD.
  await filters.getByLabel("In reporting currency at least").fill("1200");
  await filters.getByLabel("In reporting currency at least").press("Enter");
  await expect(page).toHaveURL(/rmin=1200/);
  await expect(rows).toHaveCount(2);
  await expect(rows.getByTestId("queue-reporting-amount")).toHaveText([
    "2,010.00 USD",
    "1,500.00 USD",
  ]);
});
