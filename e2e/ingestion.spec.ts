import { randomBytes } from "node:crypto";
import { events } from "@/db/schema";
import { ingestItems } from "@/lib/ingest/ingest";
import { expect, test } from "./fixtures/auth";
import { expectAxeCleanInBothThemes, expectNoSidewaysScrollAt390 } from "./fixtures/page-checks";

/*
 * Ingestion health. An operations analyst opens /ingestion and finds the source that stopped
 * sending flagged silent (hourly for three days, nothing for five hours), the steady one on
 * time, and follows the rejected count of the silent source to its event_rejected exception.
 *
 * Receipt times are written directly so the cadence is known; the suite shares one database,
 * so every source is named for this run.
 */

const HOUR = 3_600_000;

async function seedSources(db: Parameters<typeof ingestItems>[0]) {
  const run = randomBytes(4).toString("hex");
  // Long names, as real connectors have: the page must still fit a phone.
  const silent = `urn:e2e:billing-connector-production-${run}`;
  const steady = `urn:e2e:metering-${run}`;
  const now = Date.now();
  const hourly = (source: string, type: string, lastAgoMs: number, count: number) =>
    Array.from({ length: count }, (_, i) => {
      const at = new Date(now - lastAgoMs - i * HOUR);
      return { source, eventId: `${run}-${type}-${i}`, type, time: at, receivedAt: at, data: {} };
    });
  await db
    .insert(events)
    .values([
      ...hourly(silent, "invoice.issued", 5 * HOUR, 72),
      ...hourly(steady, "usage.checkpoint", 60_000, 72),
    ]);
  // One item from the silent source that could not be accepted.
  const result = await ingestItems(
    db,
    [
      {
        specversion: "1.0",
        id: `e2e-bad-${run}`,
        source: silent,
        type: "invoice.issued",
        time: new Date(now - 6 * HOUR).toISOString(),
        data: { invoiceId: `INV-${run}`, currency: "DOLLARS" },
      },
    ],
    { apiKeyId: null, channel: "api" },
  );
  expect(result.rejected).toHaveLength(1);
  return { silent, steady };
}

test("a silent source is flagged and its rejected events are one click away", async ({
  page,
  db,
  signInAs,
}) => {
  const { silent, steady } = await seedSources(db);
  await signInAs("operations", "/ingestion");
  await expect(page.getByRole("heading", { name: "Ingestion", level: 1 })).toBeVisible();

  const table = page.getByTestId("source-health");
  const silentRow = table.locator(
    `[data-testid="source-row"][data-source="${silent}"][data-type="invoice.issued"]`,
  );
  await expect(silentRow).toHaveAttribute("data-freshness", "silent");
  await expect(silentRow).toContainText("Silent");
  await expect(silentRow).toContainText("quiet 5 h, allowed 3 h");
  await expect(silentRow).toContainText("median gap 1 h");
  // 72 hourly arrivals, all within the 14 days: 72 / 14 ≈ 5 a day on average.
  await expect(silentRow).toContainText("72 arrivals in 14 days, about 5 a day");
  await expect(silentRow).toContainText(/UTC/);
  await expect(page.getByTestId("health-summary")).toContainText(`${silent} (invoice.issued)`);

  const steadyRow = table.locator(`[data-testid="source-row"][data-source="${steady}"]`);
  await expect(steadyRow).toHaveAttribute("data-freshness", "on_time");
  await expect(steadyRow).toContainText("On time");

  // The daily volume of the silent source: 72 events over the last days.
  await page.getByRole("combobox", { name: "Source and event type" }).selectOption({
    label: `${silent} · invoice.issued`,
  });
  await expect(page.getByTestId("volume-total")).toContainText(`72 accepted events from ${silent}`);

  await expectAxeCleanInBothThemes(page);
  await expectNoSidewaysScrollAt390(page);

  // The rejected count opens the queue on the source's event_rejected exception.
  await silentRow.getByRole("link", { name: "1 waiting" }).click();
  await expect(page).toHaveURL(/\/exceptions\?type=event_rejected&q=/);
  await expect(
    page.getByRole("link", { name: new RegExp(`Rejected events from ${silent}`) }),
  ).toBeVisible();
});
