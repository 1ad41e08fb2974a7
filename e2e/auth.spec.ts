import type { Role } from "@/db/schema";
import type { Page } from "@playwright/test";
import { E2E_PASSWORD, expect, signIn, test } from "./fixtures/auth";

/** The sign-in form's own alert (Next.js also has an empty route-announcer alert on every page). */
const formError = (page: Page) => page.locator("form [role=alert]");

const NAV: Record<Role, string[]> = {
  executive: ["Overview", "Close", "Alerts"],
  finance: ["Overview", "Exceptions", "Incidents", "Close", "Ingestion", "Alerts"],
  operations: ["Exceptions", "Incidents", "Ingestion", "Alerts"],
  admin: ["Overview", "Exceptions", "Incidents", "Close", "Ingestion", "Alerts", "Admin"],
};

test.describe("each role sees exactly its areas", () => {
  for (const role of Object.keys(NAV) as Role[]) {
    test(`${role}`, async ({ page, signInAs }) => {
      await signInAs(role);
      const nav = page.getByRole("navigation", { name: "Main" });
      await expect(nav.getByRole("listitem")).toHaveText(NAV[role]);
      await expect(page.getByTestId("current-role")).toHaveText(new RegExp(role, "i"));
    });
  }
});

test("a forbidden page answers 403 and a forbidden API call 403 JSON", async ({
  page,
  signInAs,
}) => {
  await signInAs("executive");
  const response = await page.goto("/admin/users");
  expect(response?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "Not allowed" })).toBeVisible();

  const api = await page.request.get("/api/v1/events");
  expect(api.status()).toBe(403);
  expect(await api.json()).toMatchObject({ error: { code: "forbidden" } });
});

test("a visitor without a session is sent to sign-in, and the API says 401", async ({ page }) => {
  await page.goto("/admin/audit");
  await expect(page).toHaveURL(/\/sign-in\?callbackUrl=%2Fadmin%2Faudit/);
  const api = await page.request.get("/api/v1/kpis");
  expect(api.status()).toBe(401);
});

test("a wrong password shows an error, and repeated failures engage the rate limit", async ({
  page,
  makeUser,
}) => {
  const user = await makeUser("finance");
  await page.goto("/sign-in");
  for (let i = 0; i < 5; i++) {
    await page.getByLabel("Email").fill(user.email);
    await page.getByLabel("Password").fill(`not-the-password-${i}`);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(formError(page)).toHaveText("Wrong email or password.");
  }
  // Now even the right password is refused from this client: 429 with Retry-After, and the
  // form says how long to wait and holds the button until then.
  await page.getByLabel("Password").fill(user.password);
  const [answer] = await Promise.all([
    page.waitForResponse((r) => r.url().includes("/api/auth/callback/credentials")),
    page.getByRole("button", { name: "Sign in" }).click(),
  ]);
  expect(answer.status()).toBe(429);
  const retryAfter = Number(answer.headers()["retry-after"]);
  expect(retryAfter).toBeGreaterThan(14 * 60);
  expect(retryAfter).toBeLessThanOrEqual(15 * 60);
  await expect(formError(page)).toContainText(
    /Too many failed sign-in attempts\. Try again in 1[45] minutes\./,
  );
  await expect(page.getByRole("button", { name: "Sign in" })).toBeDisabled();
  await expect(page).toHaveURL(/\/sign-in/);
});

test("sign-out ends the session", async ({ page, signInAs }) => {
  await signInAs("finance");
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await page.goto("/overview");
  await expect(page).toHaveURL(/\/sign-in/);
});

test("an admin creates a key, it ingests, the admin revokes it, and it is refused", async ({
  page,
  signInAs,
}) => {
  await signInAs("admin", "/admin/api-keys");
  await page.goto("/admin/api-keys");
  const name = `e2e key ${Date.now()}`;
  await page.getByLabel("Name").fill(name);
  await page.getByRole("button", { name: "Create key" }).click();
  const key = (await page.getByTestId("new-api-key").textContent())!.trim();
  expect(key).toMatch(/^cl_/);

  const event = {
    specversion: "1.0",
    id: `e2e-${Date.now()}`,
    source: "urn:e2e:auth-spec",
    type: "payment.received",
    time: new Date().toISOString(),
    data: {
      paymentId: `pay-${Date.now()}`,
      customerId: "cus_e2e",
      currency: "EUR",
      amountMinor: 1000,
      receivedAt: new Date().toISOString(),
    },
  };
  const post = (body: unknown) =>
    page.request.post("/api/v1/events", {
      headers: { authorization: `Bearer ${key}`, "content-type": "application/cloudevents+json" },
      data: JSON.stringify(body),
    });
  const accepted = await post(event);
  expect(accepted.status()).toBe(200);
  expect(await accepted.json()).toMatchObject({ accepted: 1, duplicates: 0, rejected: [] });

  await page.reload();
  page.once("dialog", (dialog) => void dialog.accept());
  await page.getByRole("button", { name: `Revoke key ${name}` }).click();
  await expect(page.getByRole("row", { name: new RegExp(name) })).toContainText("revoked");

  const refused = await post({ ...event, id: `${event.id}-after` });
  expect(refused.status()).toBe(401);

  await page.goto(`/admin/audit?action=api_key.`);
  await expect(page.getByTestId("audit-table")).toContainText("api_key.created");
  await expect(page.getByTestId("audit-table")).toContainText("api_key.revoked");
});

test("deactivating a user ends their session at once", async ({ browser, makeUser }) => {
  const victim = await makeUser("operations");
  const admin = await makeUser("admin");

  const victimContext = await browser.newContext();
  const victimPage = await victimContext.newPage();
  await signIn(victimPage, victim);
  await victimPage.goto("/exceptions");
  await expect(victimPage).toHaveURL(/\/exceptions/);

  const adminContext = await browser.newContext();
  const adminPage = await adminContext.newPage();
  await signIn(adminPage, admin, "/admin/users");
  await adminPage.goto("/admin/users");
  adminPage.once("dialog", (dialog) => void dialog.accept());
  await adminPage.getByRole("button", { name: `Deactivate ${victim.email}` }).click();
  await expect(adminPage.locator(`tr[data-email="${victim.email}"]`)).toContainText("deactivated");

  await victimPage.reload();
  await expect(victimPage).toHaveURL(/\/sign-in/);
  const api = await victimPage.request.get("/api/v1/events");
  expect(api.status()).toBe(401);

  await adminPage.goto(`/admin/audit?action=user.deactivated`);
  await expect(adminPage.getByTestId("audit-table")).toContainText(admin.email);
  await adminContext.close();
  await victimContext.close();
});

test("sign-ins, successful and failed, are in the audit log", async ({ page, makeUser }) => {
  const admin = await makeUser("admin");
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(admin.email);
  await page.getByLabel("Password").fill(`${E2E_PASSWORD}-wrong`);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(formError(page)).toBeVisible();
  await page.getByLabel("Password").fill(E2E_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).not.toHaveURL(/\/sign-in/);
  await page.goto(`/admin/audit?actor=${encodeURIComponent(admin.email)}&action=auth.`);
  const table = page.getByTestId("audit-table");
  await expect(table).toContainText("auth.sign_in.succeeded");
  await expect(table).toContainText("auth.sign_in.failed");
});

test("X-Forwarded-For from the client does not escape the sign-in limit, nor fake the peer", async ({
  request,
  makeUser,
}) => {
  const user = await makeUser("finance");
  const csrf = (await (await request.get("/api/auth/csrf")).json()) as { csrfToken: string };
  const attempt = (headers: Record<string, string>) =>
    request.post("/api/auth/callback/credentials", {
      headers,
      form: {
        csrfToken: csrf.csrfToken,
        email: user.email,
        password: "not-the-password",
        json: "true",
      },
    });
  const statuses: number[] = [];
  for (let i = 0; i < 8; i++) {
    // A new "client address" every time, in both headers a naive server would believe.
    const response = await attempt({
      "x-forwarded-for": `203.0.113.${i}`,
      "x-closeline-peer": `198.51.100.${i}`,
    });
    statuses.push(response.status());
  }
  expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
});
