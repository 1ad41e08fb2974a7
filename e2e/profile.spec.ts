import { randomBytes } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { events } from "@/db/schema";
import { expect, signIn, test } from "./fixtures/auth";
import { ingestAccepted } from "./fixtures/telemetry";

/*
 * A user picks a time zone on their profile (reached from the shell's user menu) and every
 * date is shown in it from then on; the change is in the audit log in words.
 */

const SOURCE = "/e2e/profile";

test("a user switches to New York time and dates follow, with the change audited in words", async ({
  page,
  browser,
  db,
  makeUser,
  signInAs,
}) => {
  test.slow();
  const run = randomBytes(4).toString("hex");
  // An event at a known instant: 15 January 2026, 12:00 UTC (07:00 in New York, EST).
  await ingestAccepted(db, [
    {
      specversion: "1.0",
      id: `e2e-profile-${run}`,
      source: SOURCE,
      type: "invoice.issued",
      time: "2026-01-15T12:00:00Z",
      data: {
        invoiceId: `INV-TZ-${run}`,
        customerId: `cus_${run}`,
        entity: `E2E-TZ-${run}`,
        currency: "USD",
        amountMinor: 57079,
        periodStart: "2025-12-01T00:00:00Z",
        periodEnd: "2026-01-01T00:00:00Z",
        issuedAt: "2026-01-15T12:00:00Z",
      },
    },
  ]);
  const [event] = await db
    .select({ seq: events.seq })
    .from(events)
    .where(and(eq(events.source, SOURCE), eq(events.eventId, `e2e-profile-${run}`)));

  const user = await signInAs("finance");

  // Before: UTC, and the amount in its currency rather than minor units.
  await page.goto(`/events/${event!.seq}`);
  const eventTime = page.locator("dt", { hasText: "Event time" }).locator("+ dd");
  await expect(eventTime).toHaveText("15 Jan 2026, 12:00 UTC");
  await expect(page.getByTestId("event-summary")).toContainText("570.79 USD");
  await expect(page.getByTestId("event-fields")).toContainText("570.79 USD");
  // Not a filtered page: no entity or time-range bar.
  await expect(page.getByRole("search", { name: "Filters" })).toHaveCount(0);

  // The user menu leads to the profile.
  await page.getByTestId("current-user").click();
  await expect(page).toHaveURL(/\/profile$/);
  await expect(page.getByRole("heading", { name: "Your profile", level: 1 })).toBeVisible();
  await expect(page.getByRole("search", { name: "Filters" })).toHaveCount(0);
  await page
    .getByRole("combobox", { name: "Time zone", exact: true })
    .selectOption("America/New_York");
  await page.getByRole("button", { name: "Save time zone" }).click();
  const saved = page.getByTestId("time-zone-result");
  await expect(saved).toHaveText("Saved: dates now show in America/New York.");
  await expect(saved).toBeFocused();
  // The picker keeps showing what was saved (a form reset once put the old zone back).
  await expect(page.getByRole("combobox", { name: "Time zone", exact: true })).toHaveValue(
    "America/New_York",
  );
  await expect(page.getByTestId("current-time-zone")).toHaveText("Times in America/New_York");

  // After: the same instant in New York time, offset shown; a reload keeps it (stored).
  await page.goto(`/events/${event!.seq}`);
  await expect(eventTime).toHaveText("15 Jan 2026, 07:00 UTC−5");
  await page.reload();
  await expect(eventTime).toHaveText("15 Jan 2026, 07:00 UTC−5");
  // So do the other pages: when the source last sent, on ingestion health.
  await page.goto("/ingestion");
  const sourceRow = page.locator(
    `[data-testid="source-row"][data-source="${SOURCE}"][data-type="invoice.issued"]`,
  );
  await expect(sourceRow).toContainText(/UTC−[45]/);

  // Another user still reads UTC: the zone belongs to the user, not the browser or the app.
  const other = await makeUser("admin");
  const theirs = await browser.newPage();
  try {
    await signIn(theirs, other);
    await theirs.goto(`/events/${event!.seq}`);
    await expect(theirs.locator("dt", { hasText: "Event time" }).locator("+ dd")).toHaveText(
      "15 Jan 2026, 12:00 UTC",
    );

    // The admin reads the change in the audit log as words, ids tucked away.
    await theirs.goto(`/admin/audit?actor=${encodeURIComponent(user.email)}`);
    const entry = theirs.locator('tr[data-action="user.time_zone_changed"]');
    await expect(entry).toHaveCount(1);
    await expect(entry).toContainText("Changed their time zone");
    await expect(entry.getByTestId("audit-changes")).toHaveText(
      /^Time zone:\s*UTC\s*→\s*changed to\s*America\/New_York$/,
    );
    await expect(entry.getByText(user.id).first()).toBeHidden();
    await entry.getByText("Technical details").click();
    await expect(entry.getByText(user.id).first()).toBeVisible();
  } finally {
    await theirs.close();
  }
});
