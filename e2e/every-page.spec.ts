import AxeBuilder from "@axe-core/playwright";
import type { Browser, BrowserContextOptions } from "@playwright/test";
import { and, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import {
  events,
  exceptions,
  outboxCommands,
  outboxDeliveries,
  ROLES,
  webhookEndpoints,
  type Role,
} from "@/db/schema";
import { SYSTEM_ACTOR } from "@/lib/audit";
import { areasFor } from "@/lib/auth/navigation";
import { can, type Permission } from "@/lib/auth/permissions";
import { createUser } from "@/lib/auth/users";
import { E2E_PASSWORD, expect, signIn, test } from "./fixtures/auth";
import type { E2eDatabase } from "./fixtures/server";
import { ingestAccepted, newRunToken } from "./fixtures/telemetry";

/*
 * Every page each role can reach — its navigation, the admin subpages, the profile and the
 * detail pages (an exception, an event, a KPI drill-down) — on a 390 px phone: nothing may
 * scroll sideways, and axe (WCAG 2.0/2.1 A and AA) finds nothing, in the light theme and in
 * the dark one. The theme is the `theme` cookie the shell's toggle writes, which the root
 * layout reads, so each theme is what a user who chose it gets on first paint.
 *
 * Both themes on both databases: the engine changes the data on the page, the theme its
 * colours, and a contrast failure can hide in either.
 */

const PHONE = { width: 390, height: 844 };
const WCAG = ["wcag2a", "wcag2aa", "wcag21aa"];
const THEMES: Record<E2eDatabase, readonly ("light" | "dark")[]> = {
  postgres: ["light", "dark"],
  pglite: ["light", "dark"],
};
const RUN = newRunToken();

const ADMIN_PAGES: { path: string; permission: Permission }[] = [
  { path: "/admin/users", permission: "admin:users" },
  { path: "/admin/api-keys", permission: "admin:api-keys" },
  { path: "/admin/audit", permission: "admin:audit" },
  { path: "/admin/settings", permission: "admin:settings" },
  { path: "/admin/webhooks", permission: "admin:settings" },
];

interface Seeded {
  exceptionId: string;
  eventSeq: number;
}

/** A failed ERP posting: an event to open and the exception Closeline raises from it. */
async function seed(db: Db): Promise<Seeded> {
  const at = new Date(Date.now() - 5 * 3_600_000).toISOString();
  const entity = `E2E-PAGES-${RUN}`;
  const event = (type: string, data: Record<string, unknown>) => ({
    specversion: "1.0",
    id: `e2e-pages-${RUN}-${type}`,
    source: "/e2e/every-page",
    type,
    time: at,
    data,
  });
  await ingestAccepted(db, [
    event("invoice.issued", {
      invoiceId: `INV-${RUN}`,
      customerId: `cus_${RUN}`,
      entity,
      currency: "EUR",
      amountMinor: 123_456,
      periodStart: at,
      periodEnd: at,
      issuedAt: at,
    }),
    event("erp.posting.attempted", {
      postingId: `PST-${RUN}`,
      invoiceId: `INV-${RUN}`,
      entity,
      attempt: 1,
      status: "failed",
      attemptedAt: at,
      errorCode: "GL_PERIOD_CLOSED",
      errorMessage: "Accounting period is closed for posting",
    }),
  ]);
  const [exception] = await db
    .select({ id: exceptions.id })
    .from(exceptions)
    .where(eq(exceptions.postingId, `PST-${RUN}`));
  expect(exception, "the failed posting raised an exception").toBeTruthy();
  const [invoice] = await db
    .select({ seq: events.seq })
    .from(events)
    .where(
      and(
        eq(events.source, "/e2e/every-page"),
        eq(events.eventId, `e2e-pages-${RUN}-invoice.issued`),
      ),
    );
  await seedWebhookHistory(db, exception!.id);
  return { exceptionId: exception!.id, eventSeq: invoice!.seq };
}

/**
 * What makes the webhooks page wide: a retired endpoint with a long URL and a command that died
 * on it, with its error and delivery log. Inserted as rows because only a retired endpoint
 * keeps this out of the way of the specs that deliver commands.
 */
async function seedWebhookHistory(db: Db, exceptionId: string) {
  const [endpoint] = await db
    .insert(webhookEndpoints)
    .values({
      name: `e2e retired receiver with a long name ${RUN}`,
      url: `https://erp-connector.integration.example.com/webhooks/closeline/${RUN}/commands?tenant=e2e-every-page`,
      secret: "whsec_never-used-to-sign",
      kinds: ["correction.execute"],
      active: false,
      deactivatedAt: new Date(),
    })
    .returning({ id: webhookEndpoints.id });
  const [command] = await db
    .insert(outboxCommands)
    .values({
      kind: "correction.execute",
      endpointId: endpoint!.id,
      payload: { exceptionId },
      exceptionId,
      idempotencyKey: `e2e-every-page-${RUN}`,
      status: "dead",
      attempts: 1,
      lastError: "endpoint deactivated before the command could be delivered to it",
    })
    .returning({ id: outboxCommands.id });
  await db.insert(outboxDeliveries).values({
    commandId: command!.id,
    attempt: 1,
    error: "connect ECONNREFUSED 203.0.113.7:443 (erp-connector.integration.example.com)",
    durationMs: 12,
  });
  // A command waiting for its next attempt, a day away so the dispatcher leaves it alone.
  await db.insert(outboxCommands).values({
    kind: "correction.execute",
    endpointId: endpoint!.id,
    payload: { exceptionId },
    exceptionId,
    idempotencyKey: `e2e-every-page-waiting-${RUN}`,
    status: "pending",
    attempts: 1,
    nextAttemptAt: new Date(Date.now() + 86_400_000),
    lastError: "HTTP 503 from the receiver",
  });
}

function pagesFor(role: Role, seeded: Seeded): string[] {
  const pages = areasFor(role)
    .map((area) => area.href)
    .filter((href) => href !== "/admin");
  pages.push(...ADMIN_PAGES.filter((p) => can(role, p.permission)).map((p) => p.path));
  if (can(role, "kpis:read")) pages.push("/overview/invoice-latency");
  if (can(role, "exceptions:read")) pages.push(`/exceptions/${seeded.exceptionId}`);
  if (can(role, "kpis:read") || can(role, "ingestion:read"))
    pages.push(`/events/${seeded.eventSeq}`);
  if (can(role, "threads:read"))
    // The run token differs per process, so the planned titles name it as [run].
    pages.push("/threads/invoice/INV-[run]", "/threads/customer/cus_[run]");
  pages.push("/profile");
  return pages;
}

/** A signed-in session per role, made once and reused by that role's pages. */
async function signedInState(browser: Browser, db: Db, role: Role) {
  const email = `pages-${role}-${RUN.toLowerCase()}-${process.pid}@e2e.test`;
  await createUser(db, { email, role, password: E2E_PASSWORD }, SYSTEM_ACTOR);
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, { email, password: E2E_PASSWORD });
  const state = await context.storageState();
  await context.close();
  return state;
}

// The seeded rows and the sessions are shared by the tests of this worker.
let seeded: Seeded | null = null;
const sessions = new Map<Role, BrowserContextOptions["storageState"]>();

test.beforeAll(async ({ db }) => {
  seeded ??= await seed(db);
});

// Role names, not data, decide the tests, so the list is known before anything is seeded.
const PLANNED: Record<Role, string[]> = Object.fromEntries(
  ROLES.map((role) => [role, pagesFor(role, { exceptionId: "[id]", eventSeq: 0 })]),
) as Record<Role, string[]>;

for (const role of ROLES) {
  test.describe(`${role}`, () => {
    for (const planned of PLANNED[role]) {
      test(`${planned} fits 390 px and passes axe`, async ({ browser, db, baseURL, database }) => {
        test.slow();
        if (!sessions.has(role)) sessions.set(role, await signedInState(browser, db, role));
        const path = planned
          .replace("[id]", seeded!.exceptionId)
          .replace("[run]", RUN)
          .replace(/\/events\/0$/, `/events/${seeded!.eventSeq}`);

        for (const theme of THEMES[database]) {
          const context = await browser.newContext({
            storageState: sessions.get(role),
            viewport: PHONE,
            // axe is injected by script; the app's CSP (nonce-only) would refuse it.
            bypassCSP: true,
          });
          await context.addCookies([{ name: "theme", value: theme, url: baseURL! }]);
          const page = await context.newPage();
          try {
            const response = await page.goto(path);
            expect(response?.status(), `${path} answers`).toBeLessThan(400);
            await expect(page.locator("html")).toHaveAttribute("data-theme", theme);
            await expect(page.getByRole("heading", { level: 1 }).first()).toBeVisible();
            // Let streamed sections replace their skeletons before measuring.
            await expect(page.locator(".skeleton")).toHaveCount(0, { timeout: 20_000 });

            await expect(page.getByRole("main")).toBeVisible();

            // A page may still replace its URL after it renders (filters written into it) or
            // refresh itself (the close page does), which discards an evaluation in flight or
            // runs it while the document has no root yet: measure on <html> until a
            // measurement completes.
            const measure = () =>
              page.locator("html").evaluate((root) => {
                const inner = window.innerWidth;
                // The innermost elements that stick out: what to fix when the page is too wide.
                // A scroll box clips a descendant unless the descendant is absolutely placed
                // and the box is not its containing block: then it escapes and widens the page.
                const clipped = (el: Element) => {
                  let absolute = getComputedStyle(el).position === "absolute";
                  for (let a = el.parentElement; a; a = a.parentElement) {
                    const style = getComputedStyle(a);
                    const positioned = style.position !== "static";
                    if (style.overflowX !== "visible" && (!absolute || positioned)) return true;
                    if (absolute && positioned) absolute = style.position === "absolute";
                  }
                  return false;
                };
                const sticking = [...document.querySelectorAll("body *")].filter(
                  (el) =>
                    el.getBoundingClientRect().right > inner + 1 &&
                    ![...el.children].some((c) => c.getBoundingClientRect().right > inner + 1) &&
                    !clipped(el),
                );
                const name = (el: Element) =>
                  `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""}${[...el.classList]
                    .slice(0, 2)
                    .map((c) => `.${c}`)
                    .join("")}`;
                return {
                  scroll: root.scrollWidth,
                  inner,
                  culprits: sticking.slice(0, 4).map((el) => {
                    const parent = el.parentElement;
                    return `${parent ? `${name(parent)} > ` : ""}${name(el)}`;
                  }),
                };
              });
            const measured: { widths?: Awaited<ReturnType<typeof measure>> } = {};
            await expect
              .poll(
                async () => {
                  measured.widths = await measure().catch(() => undefined);
                  return measured.widths !== undefined;
                },
                { message: `${path} (${theme}) can be measured`, timeout: 20_000 },
              )
              .toBe(true);
            const widths = measured.widths!;
            expect
              .soft(
                widths.scroll,
                `${path} (${theme}) scrolls sideways at 390 px; too wide: ${widths.culprits.join(", ")}`,
              )
              .toBeLessThanOrEqual(widths.inner);

            const { violations } = await new AxeBuilder({ page }).withTags(WCAG).analyze();
            const found = violations.map(
              (v) =>
                `${v.id} (${v.impact}): ${v.help} — ${v.nodes
                  .slice(0, 3)
                  .map((n) => n.target.join(" "))
                  .join(" | ")}`,
            );
            expect.soft(found, `axe on ${path} in the ${theme} theme`).toEqual([]);
          } finally {
            await context.close();
          }
        }
      });
    }
  });
}

// Defect: /admin/audit failed axe scrollable-region-focusable — its wide table scrolled inside
// a box the keyboard could not reach. Checked where the table is a table (above the phone
// layout, which stacks rows as cards), at the narrowest width that keeps it one and at a laptop's.
test("the audit log's table scrolls in a named region the keyboard can reach", async ({
  browser,
  db,
}) => {
  test.slow();
  if (!sessions.has("admin")) sessions.set("admin", await signedInState(browser, db, "admin"));
  for (const width of [641, 1280]) {
    const context = await browser.newContext({
      storageState: sessions.get("admin"),
      viewport: { width, height: 900 },
      bypassCSP: true,
    });
    const page = await context.newPage();
    try {
      await page.goto("/admin/audit");
      const region = page.getByRole("region", { name: "Audit log entries" });
      await expect(region).toHaveAttribute("tabindex", "0");
      await region.focus();
      await expect(region).toBeFocused();
      const { violations } = await new AxeBuilder({ page }).withTags(WCAG).analyze();
      expect(
        violations.map((v) => v.id),
        `axe on /admin/audit at ${width} px`,
      ).toEqual([]);
    } finally {
      await context.close();
    }
  }
});

// Defect: a command waiting for a retry said "next attempt $" and not the time of it.
test("the webhooks page says when a waiting command is attempted next", async ({ browser, db }) => {
  if (!sessions.has("admin")) sessions.set("admin", await signedInState(browser, db, "admin"));
  const context = await browser.newContext({ storageState: sessions.get("admin") });
  const page = await context.newPage();
  try {
    await page.goto("/admin/webhooks");
    const row = page
      .getByRole("row")
      .filter({ hasText: `e2e retired receiver with a long name ${RUN}` })
      .filter({ hasText: "HTTP 503 from the receiver" });
    const status = row.getByText(/^next attempt /);
    await expect(status).toBeVisible();
    await expect(status).not.toContainText("$");
    await expect(status.locator("time")).toHaveCount(1);
  } finally {
    await context.close();
  }
});
