import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "@/db/client";
import { auditLog, exceptions } from "@/db/schema";
import { generateWebhookSecret } from "@/lib/outbox/signature";
import { expect, test } from "./fixtures/auth";
import { expectResolvedCount, startErpConnector, registerRetryReceiver } from "./fixtures/outbox";
import { newRunToken, seedFailedPostings } from "./fixtures/telemetry";

/*
 * The retry journey: an operations user narrows the queue to a run's failed ERP
 * postings, retries three of them in one go, and sees them close. Between the click and the
 * closing is the whole loop: the outbox command, the server's dispatcher, a receiving system
 * that verifies the signature (the demo's, lib/simulator/receiver.ts, here in the test
 * process) and reports the ERP connector's next attempt through the ingestion API.
 */

/** The retry journeys' failed postings: 500.00 EUR, 1,000.00 EUR, … each. */
const seedRetryPostings = (db: Db, run: string, count: number) =>
  seedFailedPostings(db, {
    journey: "retry",
    run,
    count,
    entity: "E2E-RETRY",
    amountStepMinor: 50_000,
    errorCode: "CUSTOMER_NOT_SYNCED",
    errorMessage: "Customer does not exist in the ERP subsidiary",
  });

test("an operations user bulk-retries three failed postings and sees them close", async ({
  page,
  db,
  signInAs,
  baseURL,
}) => {
  test.slow();
  const run = newRunToken();
  await seedRetryPostings(db, run, 4);

  // The ERP connector: verifies each delivery, then reports a successful next attempt.
  const connector = await startErpConnector(db, { baseURL: baseURL!, run });

  try {
    const operator = await signInAs("operations", "/exceptions");
    await page.goto(`/exceptions?type=erp_posting_failed&q=${run}`);
    const rows = page.getByTestId("exceptions-table").locator("tbody tr");
    await expect(rows).toHaveCount(4);

    const titles = [1, 2, 3].map(
      (i) => `ERP posting of INV-${run}-${i} failed: CUSTOMER_NOT_SYNCED`,
    );
    for (const title of titles)
      await page.getByRole("checkbox", { name: `Select ${title}` }).check();
    await expect(page.getByTestId("bulk-actions")).toContainText("3 selected");
    await page.getByRole("button", { name: "Retry 3 failed postings" }).click();
    await expect(page.getByTestId("bulk-outcome")).toContainText("3 retries requested");

    // The connector's reports close the three; the fourth, not retried, stays open.
    const postingIds = [1, 2, 3].map((i) => `PST-${run}-${i}`);
    await expectResolvedCount(db, inArray(exceptions.postingId, postingIds), 3);
    await page.reload();
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toContainText(`INV-${run}-4`);

    // One of them tells the story: requested → delivered → confirmed, closed by telemetry.
    const [first] = await db
      .select({ id: exceptions.id })
      .from(exceptions)
      .where(eq(exceptions.postingId, postingIds[0]!));
    await page.goto(`/exceptions/${first!.id}`);
    const progress = page.getByTestId("retry-progress");
    await expect(progress).toContainText("Retry requested");
    await expect(progress).toContainText("Delivered");
    await expect(progress).toContainText("attempt 2 succeeded");
    await expect(page.getByTestId("exception-timeline")).toContainText("attempt 2 succeeded");

    const audits = await db
      .select()
      .from(auditLog)
      .where(
        and(eq(auditLog.action, "exception.retry_requested"), eq(auditLog.actorId, operator.id)),
      );
    expect(audits).toHaveLength(3);
  } finally {
    await connector.close();
  }
});

test("a failed posting's page offers Retry first, and the request's confirmation stays and takes the focus", async ({
  page,
  db,
  signInAs,
}) => {
  const run = newRunToken();
  await seedRetryPostings(db, run, 1);
  const [x] = await db
    .select({ id: exceptions.id })
    .from(exceptions)
    .where(eq(exceptions.postingId, `PST-${run}-1`));
  // A retry needs a system that receives it; this one is never reached, which is not the point.
  const release = await registerRetryReceiver(db, {
    name: `e2e unreachable ERP ${run}`,
    url: "http://127.0.0.1:9/",
    secret: generateWebhookSecret(),
  });
  try {
    await signInAs("operations", `/exceptions/${x!.id}`);
    await page.goto(`/exceptions/${x!.id}`);

    // The primary action of the type comes first: first panel, first button, first in tab order.
    const actions = page.getByTestId("exception-actions");
    const panels = actions.locator("[data-action-panel]");
    await expect(panels.first()).toHaveAttribute("data-action-panel", "retry");
    await expect(actions.getByRole("button").first()).toHaveText("Retry posting");

    await actions.getByRole("button", { name: "Retry posting" }).click();
    const confirmation = actions.getByTestId("action-confirmation");
    await expect(confirmation).toContainText("Retry requested");
    await expect(confirmation).toBeFocused();
    // The page re-renders with the retry's progress; the confirmation stays.
    await expect(actions.getByTestId("retry-progress")).toBeVisible();
    await expect(confirmation).toContainText("Retry requested");
  } finally {
    await release();
  }
});
