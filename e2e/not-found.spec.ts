import { randomUUID } from "node:crypto";
import { expect, test } from "./fixtures/auth";

/*
 * Something that does not exist answers 404, to a browser and to an API client alike, even on
 * pages that stream a loading skeleton (which would otherwise have sent 200 before the page
 * found out). A signed-in admin asks, so no 403 or redirect stands in for the answer.
 */

const MISSING_PAGES = [
  `/exceptions/${randomUUID()}`,
  "/exceptions/not-an-id",
  "/events/987654321098",
  "/events/not-a-number",
  "/overview/no-such-kpi",
  "/close/no-such-view",
  "/no-such-page",
];

test("every missing page answers 404 with the not-found page", async ({ page, signInAs }) => {
  await signInAs("admin", "/admin");
  for (const path of MISSING_PAGES) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(404);
    await expect(page.getByRole("heading", { name: /not found/i }), path).toBeVisible();
  }
  // A page that does exist still answers 200, so the check above is not vacuous.
  expect((await page.goto("/exceptions"))?.status()).toBe(200);
});

test("a missing API route answers 404 in JSON", async ({ request, createApiKey }) => {
  const reader = await createApiKey(["read"]);
  const headers = { authorization: `Bearer ${reader.key}` };
  for (const path of ["/api/v1/no-such-thing", `/api/v1/exceptions/${randomUUID()}`, "/api/nope"]) {
    const response = await request.get(path, { headers });
    expect(response.status(), path).toBe(404);
    expect(response.headers()["content-type"], path).toMatch(/^application\/json/);
    expect(await response.json(), path).toEqual({
      error: { code: "not_found", message: expect.any(String) },
    });
  }
});
