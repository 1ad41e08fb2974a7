import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { alertChannels, alertRules, alerts, outboxCommands, outboxDeliveries } from "@/db/schema";
import { expect, test } from "./fixtures/auth";
import { expectAxeCleanInBothThemes, expectNoSidewaysScrollAt390 } from "./fixtures/page-checks";

/*
 * Alerts. An operations analyst on a phone finds a firing alert, acknowledges it with a
 * comment using the keyboard alone, and sees it move to Acknowledged with who and what; a
 * finance manager adds a KPI rule, a KPI-change rule, a close rule and an amount-at-risk rule
 * through the form. The firing alert is written directly:
 * evaluation has its own integration tests (tests/alerts).
 */

const RUN = randomBytes(4).toString("hex");

/**
 * A firing alert of a disabled "first pass below 90 %" rule: never evaluated by the e2e
 * server, so the alert stays as seeded.
 */
async function seedFiringAlert(
  db: Db,
  seed: { name: string; severity: "warning" | "critical"; dimension: string; value: number },
) {
  const [rule] = await db
    .insert(alertRules)
    .values({
      name: seed.name,
      severity: seed.severity,
      condition: {
        kind: "kpi",
        metric: "erpPosting.firstPassSuccessRate",
        op: "<",
        value: 0.9,
        window: "P1D",
      },
      enabled: false,
    })
    .returning();
  const now = new Date();
  const [alert] = await db
    .insert(alerts)
    .values({
      ruleId: rule!.id,
      dimension: seed.dimension,
      state: "firing",
      value: seed.value,
      threshold: 0.9,
      pendingSince: now,
      startedAt: now,
      lastEvaluatedAt: now,
    })
    .returning();
  return { rule: rule!, alert: alert! };
}

test("operations acknowledges a firing alert with a comment, by keyboard, at 390 px", async ({
  page,
  db,
  signInAs,
}) => {
  await seedFiringAlert(db, {
    name: `ERP first pass ${RUN}`,
    severity: "critical",
    dimension: `ENTITY-${RUN}`,
    value: 0.5,
  });

  await page.setViewportSize({ width: 390, height: 844 });
  const user = await signInAs("operations");
  await page
    .getByRole("navigation", { name: "Main" })
    .getByRole("link", { name: "Alerts" })
    .click();
  await expect(page.getByRole("heading", { level: 1, name: "Alerts" })).toBeVisible();
  await expectNoSidewaysScrollAt390(page);
  await expectAxeCleanInBothThemes(page);

  const form = page.getByRole("form", { name: `Acknowledge ERP first pass ${RUN}, ENTITY-${RUN}` });
  await form.getByLabel("Comment").focus();
  await page.keyboard.type("Paged the ERP vendor");
  await page.keyboard.press("Enter");

  const acknowledged = page.getByRole("region", { name: "Acknowledged alerts" });
  const row = acknowledged.getByRole("row").filter({ hasText: `ENTITY-${RUN}` });
  await expect(row).toContainText("Paged the ERP vendor");
  await expect(row).toContainText(user.email);
  await expect(
    page.getByRole("region", { name: "Firing alerts" }).getByText(`ENTITY-${RUN}`),
  ).toHaveCount(0);
});

test("operations silences a firing alert from the page, sees it silenced, and lifts it; the bell counts firing alerts", async ({
  page,
  db,
  signInAs,
}) => {
  await seedFiringAlert(db, {
    name: `Silenced ${RUN}`,
    severity: "warning",
    dimension: `SIL-${RUN}`,
    value: 0.4,
  });

  await signInAs("operations", "/exceptions");
  const bell = page.getByRole("link", { name: /^Firing alert count: [1-9]\d*$/ });
  await expect(bell).toBeVisible();
  await bell.click();
  await expect(page).toHaveURL(/\/alerts\?state=firing$/);
  await expect(page.getByRole("heading", { level: 1, name: "Alerts" })).toBeVisible();

  const form = page.getByRole("form", { name: `Silence Silenced ${RUN}, SIL-${RUN}` });
  await form.getByRole("combobox", { name: "For" }).selectOption("PT1H");
  await form.getByRole("combobox", { name: "Scope" }).selectOption("alert");
  await form.getByLabel("Why").fill("Vendor maintenance window");
  await form.getByRole("button", { name: "Silence" }).click();
  await expect(form.getByRole("status")).toContainText("Silenced until");

  const row = page
    .getByRole("region", { name: "Firing alerts" })
    .getByRole("row")
    .filter({ hasText: `SIL-${RUN}` });
  await expect(row.getByTestId("silenced-until")).toBeVisible();
  const silences = page.getByRole("region", { name: "Silences in force" });
  const silence = silences.getByRole("row").filter({ hasText: `SIL-${RUN}` });
  await expect(silence).toContainText("Vendor maintenance window");
  await expectAxeCleanInBothThemes(page);

  await silence
    .getByRole("button", { name: `Lift the silence on Silenced ${RUN}, SIL-${RUN}` })
    .click();
  await expect(silences.getByRole("row").filter({ hasText: `SIL-${RUN}` })).toHaveCount(0);
  await expect(row.getByTestId("silenced-until")).toHaveCount(0);
});

test("finance adds KPI, KPI-change, close and amount-at-risk rules through the form", async ({
  page,
  db,
  signInAs,
}) => {
  await signInAs("finance", "/alerts");
  const form = page.locator("section", {
    has: page.getByRole("heading", { name: "Add a rule" }),
  });
  /** Submits the filled-in rule and sees it confirmed by name and listed with its condition. */
  const addRule = async (name: string, condition: string | RegExp) => {
    await form.getByRole("button", { name: "Add rule" }).click();
    await expect(form.getByRole("status")).toContainText(name);
    await expect(page.getByRole("region", { name: "Alert rules" })).toContainText(condition);
  };
  /** A duration is a number and a unit, each named by the field's label. */
  const pickDuration = async (label: string, count: string, unit: string) => {
    await form.getByRole("spinbutton", { name: label, exact: true }).fill(count);
    await form.getByRole("combobox", { name: `${label}, unit` }).selectOption(unit);
  };
  await form.getByLabel("Name").fill(`Lag ${RUN}`);
  await form.getByLabel("Figure").selectOption("eventLag.p95Ms");
  await form.getByLabel("Comparison").selectOption(">");
  await form.getByLabel("Threshold").fill("60000");
  // By keyboard: the number, then Tab to its unit.
  await form.getByRole("spinbutton", { name: "Over the last", exact: true }).focus();
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.type("1");
  await page.keyboard.press("Tab");
  await expect(form.getByRole("combobox", { name: "Over the last, unit" })).toBeFocused();
  await pickDuration("Over the last", "1", "hours");
  await pickDuration("For at least", "10", "minutes");
  await pickDuration("Repeat every", "4", "hours");
  await form.getByRole("button", { name: "Backtest" }).click();
  await expect(form.getByTestId("backtest-result")).toContainText(
    /Over the last 30 days this rule would (not have fired|have fired \d+ times?)/,
    { timeout: 60_000 },
  );
  await addRule(`Lag ${RUN}`, "Event lag p95 > 1 min over the last 1 h");
  // The API keeps ISO 8601; the table says it in words.
  const [lag] = await db
    .select({ forDuration: alertRules.forDuration, repeat: alertRules.repeatInterval })
    .from(alertRules)
    .where(eq(alertRules.name, `Lag ${RUN}`));
  expect(lag).toEqual({ forDuration: "PT10M", repeat: "PT4H" });
  await expect(
    page
      .getByRole("region", { name: "Alert rules" })
      .getByRole("row")
      .filter({ hasText: `Lag ${RUN}` }),
  ).toContainText("10 min");

  await form.getByLabel("Name").fill(`Drop ${RUN}`);
  await form.getByLabel("Condition").selectOption("kpi_change");
  await form.getByLabel("Figure").selectOption("erpPosting.firstPassSuccessRate");
  await form.getByLabel("Change in").selectOption("percent");
  await form.getByLabel("Comparison").selectOption("<");
  await form.getByLabel("Change", { exact: true }).fill("-20");
  await pickDuration("Over the last", "1", "days");
  await pickDuration("For at least", "0", "minutes");
  await pickDuration("Repeat every", "", "hours");
  await addRule(`Drop ${RUN}`, "ERP first-pass success change < −20 % vs the previous 1 d");

  await form.getByLabel("Name").fill(`Close ${RUN}`);
  await form.getByLabel("Condition").selectOption("close");
  await form.getByLabel("Days before the deadline").fill("3");
  await addRule(`Close ${RUN}`, "NO-GO within 3 days of the close deadline");

  // An amount typed in the reporting currency (the label names it), stored in its minor units.
  await form.getByLabel("Name").fill(`At risk ${RUN}`);
  await form.getByLabel("Condition").selectOption("exceptions_amount");
  await form.getByLabel("Exception type").selectOption("reconciliation_break");
  const label = await form.locator("label", { hasText: "Amount at risk above" }).textContent();
  const currency = /Amount at risk above \(([A-Z]{3})\)/.exec(label ?? "")![1]!;
  await form.getByLabel(`Amount at risk above (${currency})`).fill("50,000");
  await form.getByRole("button", { name: "Backtest" }).click();
  await expect(form.getByTestId("backtest-result")).toContainText(
    /Over the last 30 days this rule would (not have fired|have fired \d+ times?).*one every 1h/,
    { timeout: 60_000 },
  );
  await addRule(
    `At risk ${RUN}`,
    new RegExp(`amount at risk of open Reconciliation break > 50,000(\\.0+)? ${currency}`),
  );
  await expect(
    page
      .getByRole("region", { name: "Alert rules" })
      .getByRole("row")
      .filter({ hasText: `At risk ${RUN}` }),
  ).toContainText("at once");

  await form.getByLabel("Condition").selectOption("kpi");
  await form.getByLabel("Name").fill(`Bad ${RUN}`);
  // A window of no time at all: the API's contract refuses it, and the form says so.
  await pickDuration("Over the last", "0", "minutes");
  await form.getByRole("button", { name: "Add rule" }).click();
  await expect(form.getByRole("alert")).toContainText("Invalid alert rule");
  // Last: the theme check reloads the page, which would empty a form being filled.
  await expectAxeCleanInBothThemes(page);
});

test("a source quiet past the whole lookback reads so, not as no data", async ({
  page,
  db,
  signInAs,
}) => {
  const DAY = 86_400_000;
  // A disabled learned-cadence silence rule, so the e2e server never evaluates it anew.
  const [rule] = await db
    .insert(alertRules)
    .values({
      name: `Gone quiet ${RUN}`,
      severity: "critical",
      condition: { kind: "silence", source: null, type: null, after: "learned" },
      enabled: false,
    })
    .returning();
  const now = new Date();
  await db.insert(alerts).values({
    ruleId: rule!.id,
    dimension: `/gone-${RUN} / usage.checkpoint`,
    state: "firing",
    value: 41 * DAY,
    threshold: 35 * DAY,
    pendingSince: now,
    startedAt: now,
    lastEvaluatedAt: now,
  });
  await signInAs("operations", "/alerts");
  const row = page
    .getByRole("region", { name: "Firing alerts" })
    .getByRole("row")
    .filter({ hasText: `/gone-${RUN}` });
  await expect(row).toContainText("41 d / the whole 35-day lookback");
  await expect(row).not.toContainText("no data");
});

test("finance adds a channel with quiet hours and a group window, and reads an alert's delivery log", async ({
  page,
  db,
  signInAs,
}) => {
  const { rule, alert } = await seedFiringAlert(db, {
    name: `Logged ${RUN}`,
    severity: "warning",
    dimension: `LOG-${RUN}`,
    value: 0.4,
  });
  // One notice that failed once and then went through, as the dispatcher records them.
  const [channel] = await db
    .insert(alertChannels)
    .values({
      kind: "webhook",
      name: `Bridge ${RUN}`,
      config: { url: "https://hooks.example.test/b" },
    })
    .returning();
  const [command] = await db
    .insert(outboxCommands)
    .values({
      kind: "alert.firing",
      alertChannelId: channel!.id,
      payload: { type: "alert.firing", alert: { id: alert.id, ruleId: rule.id } },
      idempotencyKey: `e2e:${alert.id}`,
      status: "delivered",
      attempts: 2,
      deliveredAt: new Date(),
    })
    .returning();
  await db.insert(outboxDeliveries).values([
    {
      commandId: command!.id,
      attempt: 1,
      httpStatus: 503,
      error: "HTTP 503: busy",
      durationMs: 12,
    },
    { commandId: command!.id, attempt: 2, httpStatus: 200, error: null, durationMs: 9 },
  ]);

  await signInAs("finance", "/alerts");
  const row = page
    .getByRole("region", { name: "Firing alerts" })
    .getByRole("row")
    .filter({ hasText: `LOG-${RUN}` });
  await row.getByText("1 notice").click();
  const log = row.getByTestId("alert-delivery");
  await expect(log).toContainText(`firing to Bridge ${RUN}`);
  await expect(log).toContainText("delivered");
  await expect(log).toContainText("HTTP 503: busy");
  await expect(log).toContainText("HTTP 200");

  const form = page.locator("section", {
    has: page.getByRole("heading", { name: "Add a channel" }),
  });
  await form.getByLabel("Name").fill(`Night desk ${RUN}`);
  await form.getByLabel("URL").fill("https://hooks.example.test/night");
  await form.getByLabel("Hold notices during quiet hours").check();
  await form.getByLabel("From").fill("22:00");
  await form.getByLabel("Until").fill("07:00");
  await form.getByLabel("Time zone").fill("Europe/Berlin");
  await form.getByLabel("Critical alerts go out anyway").check();
  await form.getByLabel("Group window").selectOption("PT5M");
  await form.getByRole("button", { name: "Add channel" }).click();
  await expect(form.getByRole("status")).toContainText(`Night desk ${RUN}`);
  const [saved] = await db
    .select({ quietHours: alertChannels.quietHours, groupWindow: alertChannels.groupWindow })
    .from(alertChannels)
    .where(eq(alertChannels.name, `Night desk ${RUN}`));
  expect(saved).toEqual({
    quietHours: { start: "22:00", end: "07:00", timeZone: "Europe/Berlin", criticalBypass: true },
    groupWindow: "PT5M",
  });

  await form.getByLabel("Name").fill(`Bad zone ${RUN}`);
  await form.getByLabel("URL").fill("https://hooks.example.test/zone");
  await form.getByLabel("Hold notices during quiet hours").check();
  await form.getByLabel("Time zone").fill("Mars/Olympus");
  await form.getByRole("button", { name: "Add channel" }).click();
  await expect(form.getByRole("alert")).toContainText("must be an IANA time zone");

  // PagerDuty groups incidents itself: the form offers no group window and says why.
  await form.getByLabel("Kind").selectOption("pagerduty");
  await expect(form.getByLabel("Group window")).toHaveCount(0);
  await expect(form).toContainText("No group window: PagerDuty gets one event per alert");
  await form.getByLabel("Kind").selectOption("teams");
  await expect(form.getByLabel("Group window")).toBeVisible();
  // Last: the theme check reloads the page, which would empty a form being filled.
  await expectAxeCleanInBothThemes(page);
});
