import { randomUUID } from "node:crypto";
import type { APIResponse } from "@playwright/test";
import { exampleEvent } from "@/lib/contract/examples";
import { expect, test } from "./fixtures/auth";
import { documentCheck } from "./fixtures/openapi";
import { correctionsReceiver } from "./fixtures/outbox";

/*
 * A script's day through the API, over real HTTP against the production build: ingest, read
 * the queue, work an exception, propose a correction and have a second person approve it.
 * Every answer, errors included, must be one the served OpenAPI document lists for the
 * operation, with a body its schema accepts (Ajv 8 with the 2020-12 dialect OpenAPI 3.1 uses).
 */

test("every answer of a script's day through the API is one the served document gives", async ({
  request,
  baseURL,
  db,
  createApiKey,
  makeMakerChecker,
}) => {
  const check = await documentCheck(baseURL!);
  /** Fails unless the answer has the expected status and is one the document gives. */
  async function documented<T = Record<string, unknown>>(
    operation: string,
    response: APIResponse,
    expectedStatus = 200,
  ): Promise<T> {
    expect(response.status(), `${operation}: ${await response.text()}`).toBe(expectedStatus);
    await check(operation, response);
    const type = response.headers()["content-type"] ?? "";
    return (
      type.startsWith("application/json") ? await response.json() : await response.text()
    ) as T;
  }

  const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
  const ingestKey = (await createApiKey(["ingest"])).key;
  const readKey = (await createApiKey(["read"])).key;
  const { maker, makerToken, checkerToken } = await makeMakerChecker();

  // Ingest: an invoice, a dispute of it, and one malformed item rejected with its index.
  const run = randomUUID().slice(0, 8);
  const invoiceId = `INV-API-${run}`;
  const issued = exampleEvent("invoice.issued");
  const disputed = exampleEvent("invoice.disputed");
  const batch = [
    { ...issued, id: `evt-issued-${run}`, data: { ...issued.data, invoiceId } },
    { ...disputed, id: `evt-disputed-${run}`, data: { ...disputed.data, invoiceId } },
    { ...issued, id: `evt-broken-${run}`, data: { ...issued.data, amountMinor: "12.50" } },
  ];
  const ingested = await documented<{ accepted: number; rejected: { index: number }[] }>(
    "POST /api/v1/events",
    await request.post("/api/v1/events", { headers: bearer(ingestKey), data: batch }),
  );
  expect(ingested.accepted).toBe(2);
  expect(ingested.rejected.map((item) => item.index)).toEqual([2]);
  const anonymous = await request.post("/api/v1/events", { data: batch });
  await documented("POST /api/v1/events", anonymous, 401);

  // Read: events, KPIs, the queue, its counts, close readiness and its export.
  await documented(
    "GET /api/v1/events",
    await request.get("/api/v1/events?limit=5", { headers: bearer(readKey) }),
  );
  await documented(
    "GET /api/v1/kpis",
    await request.get("/api/v1/kpis", { headers: bearer(readKey) }),
  );
  const queue = await documented<{ items: { id: string; invoiceId: string | null }[] }>(
    "GET /api/v1/exceptions",
    await request.get(`/api/v1/exceptions?type=invoice_disputed&q=${invoiceId}`, {
      headers: bearer(readKey),
    }),
  );
  const dispute = queue.items.find((item) => item.invoiceId === invoiceId);
  expect(dispute, "the dispute raised an exception").toBeDefined();
  await documented(
    "GET /api/v1/exceptions/counts",
    await request.get("/api/v1/exceptions/counts", { headers: bearer(readKey) }),
  );
  await documented(
    "GET /api/v1/close-readiness",
    await request.get("/api/v1/close-readiness?entity=ACME-US&period=2026-10", {
      headers: bearer(readKey),
    }),
  );
  await documented(
    "GET /api/v1/close-readiness.csv",
    await request.get("/api/v1/close-readiness.csv?entity=ACME-US&period=2026-10", {
      headers: bearer(readKey),
    }),
  );
  await documented(
    "GET /api/v1/close-readiness",
    await request.get("/api/v1/close-readiness?entity=NOBODY-HERE&period=2026-10", {
      headers: bearer(readKey),
    }),
    404,
  );

  // Work: the exception and its timeline, a comment, an assignment, a stale If-Match refused.
  const id = dispute!.id;
  const { exception: detail } = await documented<{ exception: { version: number } }>(
    "GET /api/v1/exceptions/{id}",
    await request.get(`/api/v1/exceptions/${id}`, { headers: bearer(makerToken) }),
  );
  await documented(
    "POST /api/v1/exceptions/{id}/comments",
    await request.post(`/api/v1/exceptions/${id}/comments`, {
      headers: { ...bearer(makerToken), "if-match": `"${detail.version}"` },
      data: { body: "Asked the account owner for the usage report." },
    }),
    201,
  );
  await documented(
    "POST /api/v1/exceptions/{id}/assign",
    await request.post(`/api/v1/exceptions/${id}/assign`, {
      headers: { ...bearer(makerToken), "if-match": `"${detail.version}"` },
      data: { assignee: maker.email },
    }),
  );
  // The assignment moved the exception on a version: the version read before is stale.
  const stale = await request.post(`/api/v1/exceptions/${id}/start`, {
    headers: { ...bearer(makerToken), "if-match": `"${detail.version}"` },
  });
  await documented("POST /api/v1/exceptions/{id}/start", stale, 412);
  await documented(
    "GET /api/v1/exceptions/{id}",
    await request.get(`/api/v1/exceptions/${randomUUID()}`, { headers: bearer(makerToken) }),
    404,
  );

  // Corrections: one person proposes, the same person may not approve, a second one does.
  await correctionsReceiver(db);
  const proposed = await documented<{ id: string; status: string }>(
    "POST /api/v1/exceptions/{id}/corrections",
    await request.post(`/api/v1/exceptions/${id}/corrections`, {
      headers: bearer(makerToken),
      data: {
        kind: "credit_note",
        amountMinor: 15000,
        currency: "USD",
        targetSystem: "billing",
        reason: "Usage double-counted on Oct 14",
      },
    }),
    201,
  );
  expect(proposed.status).toBe("pending_approval");
  await documented(
    "GET /api/v1/corrections",
    await request.get("/api/v1/corrections?status=pending_approval", { headers: bearer(readKey) }),
  );
  const ownApproval = await request.post(`/api/v1/corrections/${proposed.id}/approve`, {
    headers: bearer(makerToken),
    data: { reason: "Checked the usage report" },
  });
  await documented("POST /api/v1/corrections/{id}/approve", ownApproval, 403);
  const approved = await documented<{ status: string }>(
    "POST /api/v1/corrections/{id}/approve",
    await request.post(`/api/v1/corrections/${proposed.id}/approve`, {
      headers: bearer(checkerToken),
      data: { reason: "Checked the usage report" },
    }),
  );
  expect(approved.status).toBe("approved");
  await documented(
    "GET /api/v1/corrections/{id}",
    await request.get(`/api/v1/corrections/${proposed.id}`, { headers: bearer(readKey) }),
  );
  await documented(
    "GET /api/v1/alerts",
    await request.get("/api/v1/alerts", { headers: bearer(readKey) }),
  );
});
