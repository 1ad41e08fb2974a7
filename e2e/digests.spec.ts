import { and, eq, isNull } from "drizzle-orm";
import { digests } from "@/db/schema";
import { expect, test } from "./fixtures/auth";

/*
 * An executive subscribes to the overview from the overview itself, in one click: a weekly
 * digest on Mondays at 08:00 in the browser's time zone, to their own address. The page
 * then says they are subscribed, the profile lists the digest, and unsubscribing from the
 * overview offers the button again.
 */

test.use({ timezoneId: "Europe/Berlin" });

test("an executive gets the overview every Monday in one click, and unsubscribes", async ({
  page,
  db,
  signInAs,
}) => {
  test.slow();
  const user = await signInAs("executive", "/overview");
  await expect(page.getByRole("heading", { name: "Overview", level: 1 })).toBeVisible();
  const weekly = page.getByTestId("weekly-digest");
  await weekly.getByRole("button", { name: "Email me this every Monday" }).click();
  await expect(weekly).toContainText(
    "You get this by e-mail every Monday at 08:00 (Europe/Berlin)",
  );

  const stored = await db
    .select()
    .from(digests)
    .where(and(eq(digests.ownerId, user.id), isNull(digests.deletedAt)));
  expect(stored).toMatchObject([
    {
      cadence: "weekly",
      weekday: 1,
      localTime: "08:00",
      timeZone: "Europe/Berlin",
      channelId: null,
      entity: null,
      enabled: true,
    },
  ]);

  await page.goto("/profile");
  await expect(page.getByTestId("digest")).toContainText("Mondays at 08:00 (Europe/Berlin)");
  await expect(page.getByTestId("digest")).toContainText(user.email);

  await page.goto("/overview");
  await weekly.getByRole("button", { name: "Unsubscribe from the weekly digest" }).click();
  await expect(weekly.getByRole("button", { name: "Email me this every Monday" })).toBeVisible();
  const left = await db
    .select()
    .from(digests)
    .where(and(eq(digests.ownerId, user.id), isNull(digests.deletedAt)));
  expect(left).toEqual([]);
});
