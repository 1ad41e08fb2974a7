import { randomBytes } from "node:crypto";
import type { APIRequestContext, Page } from "@playwright/test";
import { and, eq, or } from "drizzle-orm";
import type { Db } from "@/db/client";
import { events, exceptions, type Role } from "@/db/schema";
import { SYSTEM_ACTOR } from "@/lib/audit";
import { createApiKey } from "@/lib/auth/api-keys";
import { can, type Permission } from "@/lib/auth/permissions";
import { expect, test } from "./fixtures/auth";

/*
 * Every text a sender controls, rendered back: ids, entity codes, customer ids, meter
 * names, sources, dispute reasons, ERP error codes and messages, and a rejected event's
 * fields, each carrying script. They go in through POST /api/v1/events with an ingest key,
 * as a hostile sender would send them; then an admin and a finance user open every page
 * that shows them. On each page nothing ran (window.__xss unset, no dialog), the browser
 * reported no CSP violation (so the text was escaped, not merely blocked), no element got
 * an event-handler attribute or a javascript: URL, and the payload reads as text.
 * Finally the CSP itself: a nonce, no 'unsafe-inline', and injected script is refused.
 */

const RUN = randomBytes(4).toString("hex");
const IMG = "<img src=x onerror=window.__xss=1>";
const SCRIPT = "<script>window.__xss=1</script>";
const JS = "javascript:window.__xss=1";
const PAYLOADS = [IMG, SCRIPT, JS];

const ENTITY = `XSS-${RUN}${IMG}`;
const SOURCE = `urn:xss:${RUN}:${SCRIPT}`;
const INVOICE = `${JS}//INV-${RUN}`;
const CUSTOMER = `${IMG}cus-${RUN}`;
const POSTING = `${SCRIPT}PST-${RUN}`;

interface Seeded {
  erpExceptionId: string;
  disputeExceptionId: string;
  postingSeq: number;
  keyId: string;
  period: string;
}

function batch(now: Date) {
  const at = (hoursAgo: number) => new Date(now.getTime() - hoursAgo * 3_600_000).toISOString();
  let n = 0;
  const event = (type: string, time: string, data: Record<string, unknown>) => ({
    specversion: "1.0",
    id: `xss-${RUN}-${++n}-${JS}`,
    source: SOURCE,
    type,
    time,
    subject: IMG,
    data,
  });
  const valid = [
    event("invoice.issued", at(5), {
      invoiceId: INVOICE,
      customerId: CUSTOMER,
      entity: ENTITY,
      currency: "USD",
      amountMinor: 129_900,
      periodStart: at(30 * 24),
      periodEnd: at(5),
      issuedAt: at(5),
    }),
    event("erp.posting.attempted", at(4), {
      postingId: POSTING,
      invoiceId: INVOICE,
      entity: ENTITY,
      attempt: 1,
      status: "failed",
      attemptedAt: at(4),
      errorCode: IMG,
      errorMessage: `${SCRIPT} ${JS} ${IMG}`,
    }),
    event("invoice.disputed", at(3), {
      invoiceId: INVOICE,
      reason: `${IMG}${SCRIPT} ${JS}`,
      amountMinor: 15_000,
    }),
    event("usage.checkpoint", at(2), {
      entity: ENTITY,
      meter: `${IMG}meter`,
      windowStart: at(3),
      windowEnd: at(2),
      expectedCount: 1000,
      receivedCount: 900,
    }),
    event("payment.received", at(2), {
      paymentId: `${JS}pay-${RUN}`,
      customerId: CUSTOMER,
      invoiceId: INVOICE,
      currency: "USD",
      amountMinor: 129_900,
      receivedAt: at(2),
    }),
    event("reconciliation.result", at(1), {
      runId: `${JS}run-${RUN}`,
      kind: "billing_vs_erp",
      entity: ENTITY,
      periodStart: at(30 * 24),
      periodEnd: at(1),
      key: CUSTOMER,
      currency: "USD",
      expectedMinor: 129_900,
      actualMinor: 100_000,
      toleranceMinor: 0,
    }),
  ];
  const rejected = [
    { ...event(SCRIPT, at(1), { note: IMG }), id: `${IMG}${RUN}` },
    event("invoice.issued", at(1), { invoiceId: INVOICE, currency: SCRIPT }),
  ];
  return { items: [...valid, ...rejected], valid: valid.length, rejected: rejected.length };
}

let seeded: Promise<Seeded> | null = null;

/** Sends the hostile batch once per worker, through the API, and finds what it produced. */
function seed(db: Db, baseURL: string, request: APIRequestContext) {
  seeded ??= (async () => {
    const { id: keyId, key } = await createApiKey(
      db,
      // An admin may name a key anything; the audit log shows the name.
      { name: `${IMG} ${RUN}`, scopes: ["ingest"] },
      SYSTEM_ACTOR,
    );
    const now = new Date();
    const { items, valid, rejected } = batch(now);
    const response = await request.post(`${baseURL}/api/v1/events`, {
      headers: {
        authorization: `Bearer ${key}`,
        "content-type": "application/cloudevents-batch+json",
      },
      data: JSON.stringify(items),
    });
    expect(response.status()).toBe(200);
    const answer = (await response.json()) as { accepted: number; rejected: unknown[] };
    expect(answer.accepted).toBe(valid);
    expect(answer.rejected).toHaveLength(rejected);

    const raised = await db
      .select({ id: exceptions.id, type: exceptions.type })
      .from(exceptions)
      .where(or(eq(exceptions.entity, ENTITY), eq(exceptions.invoiceId, INVOICE)));
    const idOf = (type: string) => {
      const found = raised.find((x) => x.type === type);
      expect(found, `a ${type} exception for the hostile invoice`).toBeDefined();
      return found!.id;
    };
    const [posting] = await db
      .select({ seq: events.seq })
      .from(events)
      .where(and(eq(events.source, SOURCE), eq(events.type, "erp.posting.attempted")));
    expect(posting).toBeDefined();
    return {
      erpExceptionId: idOf("erp_posting_failed"),
      disputeExceptionId: idOf("invoice_disputed"),
      postingSeq: Number(posting!.seq),
      keyId,
      period: now.toISOString().slice(0, 7),
    };
  })();
  return seeded;
}

/** Records, from before the first script runs, what a successful injection would leave. */
async function watch(page: Page) {
  const dialogs: string[] = [];
  page.on("dialog", async (dialog) => {
    dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  await page.addInitScript(() => {
    const w = window as unknown as { __cspViolations: string[] };
    w.__cspViolations = [];
    document.addEventListener("securitypolicyviolation", (e) => {
      w.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`);
    });
  });
  return dialogs;
}

const URL_ATTRIBUTES = ["href", "src", "action", "formaction", "xlink:href", "data", "poster"];

/** Opens `path` and checks that no sender text became markup, script or a live link. */
async function expectInert(page: Page, dialogs: string[], path: string) {
  const response = await page.goto(path);
  expect(response?.status(), path).toBe(200);
  await page.waitForLoadState("networkidle");
  const found = await page.evaluate((URL_ATTRIBUTES) => {
    const attributes = [...document.querySelectorAll("*")].flatMap((el) =>
      [...el.attributes].map((a) => ({ tag: el.tagName, name: a.name, value: a.value })),
    );
    return {
      xss: (window as unknown as { __xss?: unknown }).__xss,
      violations: (window as unknown as { __cspViolations: string[] }).__cspViolations,
      handlers: attributes.filter((a) => /^on/i.test(a.name)),
      // Attributes a browser follows or loads; a form field may show the text as typed.
      javascriptUrls: attributes.filter(
        (a) => URL_ATTRIBUTES.includes(a.name.toLowerCase()) && /^\s*javascript:/i.test(a.value),
      ),
      strayImages: document.querySelectorAll('img[src="x"]').length,
      strayScripts: [...document.scripts].filter((s) => s.textContent?.startsWith("window.__xss"))
        .length,
      // The page's own content, not the entity picker every page has in its header.
      text: document.querySelector("main")?.innerText ?? "",
    };
  }, URL_ATTRIBUTES);
  expect(found.xss, `${path}: a payload ran`).toBeUndefined();
  expect(dialogs, `${path}: a dialog opened`).toEqual([]);
  expect(found.violations, `${path}: the CSP had to block something`).toEqual([]);
  expect(found.handlers, `${path}: event-handler attributes`).toEqual([]);
  expect(found.javascriptUrls, `${path}: javascript: URLs`).toEqual([]);
  expect(found.strayImages, `${path}: an injected <img>`).toBe(0);
  expect(found.strayScripts, `${path}: an injected <script>`).toBe(0);
  expect(
    PAYLOADS.some((p) => found.text.includes(p)),
    `${path}: no payload is shown as text`,
  ).toBe(true);
}

const q = (params: Record<string, string>) => `?${new URLSearchParams(params)}`;

/** Every page that shows sender text, and the permission it needs. */
function pages(s: Seeded): [string, Permission][] {
  const entity = q({ entity: ENTITY });
  return [
    ["/ingestion", "ingestion:read"],
    [`/exceptions${entity}`, "exceptions:read"],
    [`/exceptions${q({ q: INVOICE })}`, "exceptions:read"],
    [`/exceptions/${s.erpExceptionId}`, "exceptions:read"],
    [`/exceptions/${s.disputeExceptionId}`, "exceptions:read"],
    [`/overview${entity}`, "kpis:read"],
    [`/overview/erp-postings${entity}`, "kpis:read"],
    [`/overview/invoice-latency${entity}`, "kpis:read"],
    [`/overview/usage-completeness${entity}`, "kpis:read"],
    [`/overview/reconciliation${entity}`, "kpis:read"],
    [`/overview/entitlement-sync${entity}`, "kpis:read"],
    [`/overview/exceptions${entity}`, "kpis:read"],
    [`/events/${s.postingSeq}`, "kpis:read"],
    [`/admin/audit${q({ target: s.keyId })}`, "admin:audit"],
    [`/admin/audit${q({ target: s.erpExceptionId })}`, "admin:audit"],
    [`/close${q({ entity: ENTITY, period: s.period })}`, "close:read"],
    // The portfolio names every entity, the hostile one among them.
    [`/close${q({ through: s.period })}`, "close:read"],
  ];
}

for (const role of ["admin", "finance"] as const satisfies Role[]) {
  test(`${role}: hostile texts from senders render as text on every page`, async ({
    page,
    db,
    signInAs,
    baseURL,
  }) => {
    // Seventeen pages, several of them heavy: more than the default budget on a busy runner.
    test.slow();
    const s = await seed(db, baseURL!, page.request);
    const dialogs = await watch(page);
    await signInAs(role);
    for (const [path, permission] of pages(s)) {
      if (can(role, permission)) await expectInert(page, dialogs, path);
    }
  });
}

test("every HTML answer carries the CSP, prefetches included, and a prefetch without a session is redirected", async ({
  page,
  request,
  signInAs,
}) => {
  await signInAs("finance");
  for (const headers of [
    { purpose: "prefetch" } as Record<string, string>,
    { "next-router-prefetch": "1" },
    { "sec-purpose": "prefetch" },
    {},
  ]) {
    const response = await page.request.get("/overview", { headers, maxRedirects: 0 });
    expect(response.status(), JSON.stringify(headers)).toBe(200);
    expect(response.headers()["content-security-policy"], JSON.stringify(headers)).toMatch(
      /script-src 'self' 'nonce-/,
    );
  }
  // The request fixture has a cookie jar of its own: no session.
  const anonymous = await request.get("/overview", {
    headers: { purpose: "prefetch" },
    maxRedirects: 0,
  });
  expect(anonymous.status()).toBe(307);
  expect(anonymous.headers().location).toContain("/sign-in");
});

test("the CSP has a nonce, no 'unsafe-inline' for scripts, and refuses markup injected into a page", async ({
  page,
  signInAs,
}) => {
  await watch(page);
  await signInAs("finance");
  const response = await page.goto("/overview");
  const csp = response?.headers()["content-security-policy"] ?? "";
  const scriptSrc = csp.split(";").find((d) => d.trim().startsWith("script-src")) ?? "";
  expect(scriptSrc).toMatch(/'nonce-[A-Za-z0-9+/=]+'/);
  expect(scriptSrc).not.toContain("'unsafe-inline'");
  expect(scriptSrc).not.toContain("'unsafe-eval'");
  expect(csp).toContain("object-src 'none'");
  expect(csp).toContain("base-uri 'self'");
  // Every script tag the server sends carries this response's nonce, so the page works
  // under it (Next.js's runtime loads further chunks itself, trusted by 'strict-dynamic').
  const nonce = /'nonce-([^']+)'/.exec(scriptSrc)![1];
  const tags = (await response!.text()).match(/<script\b[^>]*>/g) ?? [];
  expect(tags.length).toBeGreaterThan(0);
  expect(tags.filter((tag) => !tag.includes(`nonce="${nonce}"`))).toEqual([]);
  // The nonce is per response.
  const again = (await page.reload())?.headers()["content-security-policy"] ?? "";
  expect(again).not.toContain(nonce);

  // What an escaping bug would produce: sender text served as markup. The page is the real
  // one, with its real CSP header; only its HTML gains the payloads, as the server would
  // have sent them. (Not page.addScriptTag or a <script> made in page.evaluate: Chromium
  // runs those, as 'strict-dynamic' trusts script elements that script inserts.)
  await page.route("**/overview", async (route) => {
    const original = await route.fetch();
    const html = (await original.text()).replace(
      /<body([^>]*)>/,
      `<body$1><script>window.__injected = 1</script>` +
        `<img alt="" src="data:," onload="window.__handler = 1" onerror="window.__handler = 1">` +
        `<a id="hostile-link" href="javascript:window.__link = 1">open</a>`,
    );
    expect(html).toContain("hostile-link");
    await route.fulfill({ response: original, body: html });
  });
  await page.goto("/overview");
  await page.locator("#hostile-link").click();
  type Probe = {
    __injected?: number;
    __handler?: number;
    __link?: number;
    __cspViolations: string[];
  };
  // One report each: the <script>, the handler attribute(s), the javascript: navigation.
  const kinds = () =>
    page.evaluate(() =>
      (window as unknown as Probe).__cspViolations.map((v) => v.split(" ").slice(0, 2).join(" ")),
    );
  await expect
    .poll(async () => (await kinds()).filter((k) => k === "script-src-elem inline").length)
    .toBe(2);
  expect(await kinds()).toContain("script-src-attr inline");
  const probe = await page.evaluate(() => {
    const w = window as unknown as Probe;
    return { injected: w.__injected, handler: w.__handler, link: w.__link };
  });
  expect(probe).toEqual({ injected: undefined, handler: undefined, link: undefined });
});
