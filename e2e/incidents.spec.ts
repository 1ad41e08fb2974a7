import { eq, inArray } from "drizzle-orm";
import { exceptions } from "@/db/schema";
import { expect, test } from "./fixtures/auth";
import { expectResolvedCount, startErpConnector } from "./fixtures/outbox";
import { newRunToken, seedFailedPostings } from "./fixtures/telemetry";

/*
 * Ops retries a whole incident: three postings refused by the ERP for one cause (one error
 * code, one system, one entity) are one incident; one confirmed click asks for a retry of
 * each, the connector's reports close them, and the incident is resolved with them.
 */

test("an operations user retries a whole incident and sees it resolve", async ({
  page,
  db,
  signInAs,
  baseURL,
}) => {
  test.slow();
  const run = newRunToken();
  // An entity of this run's own, so the incident is this run's alone.
  await seedFailedPostings(db, {
    journey: "incident",
    run,
    count: 3,
    entity: `E2E-INC-${run}`,
    amountStepMinor: 10_000,
    errorCode: "TAX_CODE_MISSING",
    errorMessage: "No tax code for the item",
  });
  const postingIds = [1, 2, 3].map((i) => `PST-${run}-${i}`);
  const members = await db
    .select({ id: exceptions.id, incidentId: exceptions.incidentId })
    .from(exceptions)
    .where(inArray(exceptions.postingId, postingIds));
  expect(members).toHaveLength(3);
  const incidentId = members[0]!.incidentId!;
  expect(new Set(members.map((m) => m.incidentId))).toEqual(new Set([incidentId]));

  const connector = await startErpConnector(db, { baseURL: baseURL!, run });
  try {
    await signInAs("operations", "/incidents");
    // The exception's page names its incident, which opens it.
    await page.goto(`/exceptions/${members[0]!.id}`);
    await page.getByTestId("exception-incident").getByRole("link").click();
    await expect(page).toHaveURL(new RegExp(`/incidents/${incidentId}$`));
    await expect(page.getByTestId("incident-radius")).toContainText("3, 3 still open");
    await expect(page.getByTestId("incident-radius")).toContainText("600.00 EUR");
    await expect(page.getByTestId("incident-members").locator("tbody tr")).toHaveCount(3);

    await page.getByRole("button", { name: "Retry all retryable (3)" }).click();
    await page.getByRole("button", { name: "Retry them" }).click();
    await expect(page.getByTestId("action-confirmation")).toContainText("3 retries requested");

    await expectResolvedCount(db, eq(exceptions.incidentId, incidentId), 3);
    await page.reload();
    await expect(page.getByTestId("incident-status")).toHaveText("Resolved");
    await expect(page.getByText("No member can be retried now")).toBeVisible();
  } finally {
    await connector.close();
  }
});

test("the incident list marks the status tab shown, for screen readers and to the eye", async ({
  page,
  signInAs,
}) => {
  await signInAs("operations", "/incidents");
  const tabs = page.getByRole("navigation", { name: "Incident status" });
  const open = tabs.getByRole("link", { name: "Open" });
  const resolved = tabs.getByRole("link", { name: "Resolved" });
  const background = (link: typeof open) =>
    link.evaluate((element) => getComputedStyle(element).backgroundColor);
  // The list opens on open incidents, and says so.
  await expect(open).toHaveAttribute("aria-current", "page");
  await expect(resolved).not.toHaveAttribute("aria-current", /.*/);
  expect(await background(open)).not.toBe(await background(resolved));

  await resolved.click();
  await expect(page).toHaveURL(/\/incidents\?status=resolved$/);
  await expect(resolved).toHaveAttribute("aria-current", "page");
  await expect(open).not.toHaveAttribute("aria-current", /.*/);
  expect(await background(resolved)).not.toBe(await background(open));

  await tabs.getByRole("link", { name: "All" }).click();
  await expect(tabs.getByRole("link", { name: "All" })).toHaveAttribute("aria-current", "page");
  // A status the list does not know shows open incidents, and marks that tab.
  await page.goto("/incidents?status=bogus");
  await expect(open).toHaveAttribute("aria-current", "page");
});
