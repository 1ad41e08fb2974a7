import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "./fixtures";

/*
 * The answer checks fire however a spec asks. A stand-in server serves the real OpenAPI
 * document but answers GET /api/v1/exceptions/{id} with a body off its schema and
 * GET /api/v1/kpis with a status the document does not list; every way a spec can reach an
 * /api/v1 route must refuse those answers, and let the real server's documented ones through.
 */

let standIn: Server;
let standInUrl: string;

test.beforeAll(async ({ baseURL }) => {
  const document = await (await fetch(`${baseURL}/api/v1/openapi.json`)).text();
  standIn = createServer((request, response) => {
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    };
    if (request.url === "/api/v1/openapi.json") {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(document);
    } else if (request.url?.startsWith("/api/v1/exceptions/")) {
      json(200, { exception: "not an exception" });
    } else if (request.url === "/api/v1/kpis") {
      json(418, { error: { code: "teapot", message: "Not a status the document lists." } });
    } else {
      json(404, { error: { code: "not_found", message: "Nothing here." } });
    }
  });
  await new Promise<void>((listening) => standIn.listen(0, "127.0.0.1", listening));
  standInUrl = `http://127.0.0.1:${(standIn.address() as AddressInfo).port}`;
});

test.afterAll(async () => {
  await new Promise((closed) => standIn.close(closed));
});

const OFF_SCHEMA = /GET \/api\/v1\/exceptions\/\{id\} 200 body/;
const UNLISTED_STATUS = /GET \/api\/v1\/kpis documents status 418/;

test("an undocumented answer fails the call through every kind of request context", async ({
  request,
  page,
  browser,
  playwright,
  baseURL,
}) => {
  const ownContext = await browser.newContext();
  const newRequestContext = await playwright.request.newContext();
  const contexts = {
    "the request fixture": request,
    "page.request": page.request,
    "a new browser context's request": ownContext.request,
    "playwright.request.newContext()": newRequestContext,
  };
  for (const [name, context] of Object.entries(contexts)) {
    await expect(context.get(`${standInUrl}/api/v1/exceptions/E-1`), name).rejects.toThrow(
      OFF_SCHEMA,
    );
    await expect(
      context.fetch(`${standInUrl}/api/v1/kpis`, { method: "GET" }),
      name,
    ).rejects.toThrow(UNLISTED_STATUS);
    // The real server's answer, a documented 401, goes through.
    expect((await context.get(`${baseURL}/api/v1/kpis`)).status(), name).toBe(401);
  }
  await newRequestContext.dispose();
  await ownContext.close();
});

test("an undocumented browser answer fails the test that received it", async ({
  page,
  browser,
  baseURL,
  undocumentedBrowserAnswers,
}) => {
  await page.goto(`${standInUrl}/api/v1/exceptions/E-1`);
  await page.evaluate(async (url) => void (await (await fetch(url)).text()), "/api/v1/kpis");
  const other = await (await browser.newContext()).newPage();
  await other.goto(`${standInUrl}/api/v1/exceptions/E-2`);
  await other.context().close();

  const found = await undocumentedBrowserAnswers();
  expect(found).toHaveLength(3);
  expect(found).toEqual(
    expect.arrayContaining([
      expect.stringMatching(new RegExp(`exceptions/E-1 answered 200: [^]*${OFF_SCHEMA.source}`)),
      expect.stringMatching(new RegExp(`kpis answered 418: [^]*${UNLISTED_STATUS.source}`)),
      expect.stringMatching(new RegExp(`exceptions/E-2 answered 200: [^]*${OFF_SCHEMA.source}`)),
    ]),
  );

  // The real server's documented 401, in the page and from one of its pages' own fetch, is not
  // refused (an API answer is sandboxed, so the fetch runs from the sign-in page).
  await page.goto(`${baseURL}/api/v1/kpis`);
  await page.goto(`${baseURL}/sign-in`);
  await page.evaluate(async () => void (await (await fetch("/api/v1/exceptions")).text()));
  expect(await undocumentedBrowserAnswers()).toEqual([]);
});
