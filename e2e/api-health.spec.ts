import { expect, test } from "./fixtures";

/*
 * Proves the e2e pipeline end to end: the production server is up on its own database,
 * the ingestion API answers over real HTTP, and fixtures can seed that database.
 */

test("the health check answers ok", async ({ request }) => {
  const res = await request.get("/api/health");
  expect(res.status()).toBe(200);
  expect(await res.json()).toEqual({ status: "ok" });
});

test("the browser reaches the server", async ({ page }) => {
  const res = await page.goto("/api/health");
  expect(res?.status()).toBe(200);
  await expect(page.locator("body")).toContainText('"status":"ok"');
});

test("POST /api/v1/events without a key is 401 with a JSON error", async ({ request }) => {
  const res = await request.post("/api/v1/events", {
    headers: { "content-type": "application/cloudevents+json" },
    data: { specversion: "1.0", id: "e2e-anonymous", source: "/e2e", type: "invoice.disputed" },
  });
  expect(res.status()).toBe(401);
  expect(res.headers()["content-type"]).toMatch(/^application\/json/);
  expect(res.headers()["www-authenticate"]).toBe('Bearer realm="closeline"');
  expect(await res.json()).toEqual({
    error: { code: "unauthenticated", message: expect.any(String) },
  });
});

test("a key seeded by the fixtures ingests an event that GET then lists", async ({
  request,
  createApiKey,
}) => {
  const writer = await createApiKey(["ingest"]);
  const reader = await createApiKey(["read"]);
  const id = `e2e-${test.info().workerIndex}-${Date.now()}`;
  const posted = await request.post("/api/v1/events", {
    headers: {
      authorization: `Bearer ${writer.key}`,
      "content-type": "application/cloudevents+json",
    },
    data: {
      specversion: "1.0",
      id,
      source: "/e2e/pipeline",
      type: "invoice.disputed",
      time: "2026-11-01T12:00:00Z",
      data: { invoiceId: "INV-E2E", reason: "pipeline check" },
    },
  });
  expect(posted.status()).toBe(200);
  expect(await posted.json()).toEqual({ accepted: 1, duplicates: 0, rejected: [] });

  const listed = await request.get("/api/v1/events?source=/e2e/pipeline", {
    headers: { authorization: `Bearer ${reader.key}` },
  });
  expect(listed.status()).toBe(200);
  const body = (await listed.json()) as { events: { id: string; apiKeyId: string }[] };
  expect(body.events).toContainEqual(expect.objectContaining({ id, apiKeyId: writer.id }));
});
