/**
 * How light the overview is, measured the way a user meets it: a cold load of /overview in
 * headless Chromium against a running production server (`next build` + `next start`).
 * Next 16 no longer prints first-load JS in `next build`, so it is counted here instead.
 *
 *   npx tsx scripts/measure-overview.ts --url http://127.0.0.1:3000 \
 *     --email finance@example.com --password '…' [--path /overview?range=7d] [--screenshot out.png]
 *
 * Prints, as JSON:
 *   firstLoadJs  the JavaScript the HTML references (<script src>), gzipped bytes as sent
 *   lazyJs       JavaScript fetched after that (the recharts islands loaded with next/dynamic)
 *   lcpMs, cls   Largest Contentful Paint and Cumulative Layout Shift of the cold load
 * The aims (issue 4): first-load JS ≤ 250 KB gzipped, LCP ≤ 2.5 s, CLS ≤ 0.1.
 */
import { parseArgs } from "node:util";
import { chromium, type Response } from "@playwright/test";

const { values: args } = parseArgs({
  options: {
    url: { type: "string", default: "http://127.0.0.1:3000" },
    email: { type: "string" },
    password: { type: "string" },
    path: { type: "string", default: "/overview" },
    screenshot: { type: "string" },
    chromium: { type: "string", default: "/usr/bin/chromium" },
  },
});

if (!args.email || !args.password) {
  console.error("--email and --password of a user who may see the overview are required");
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath: args.chromium,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});

try {
  // Sign in through the form once, then measure in a fresh context that only has the cookie:
  // no HTTP cache, no warmed-up JavaScript — a cold load.
  const signInContext = await browser.newContext();
  const signIn = await signInContext.newPage();
  await signIn.goto(`${args.url}/sign-in`);
  await signIn.getByLabel("Email").fill(args.email);
  await signIn.getByLabel("Password").fill(args.password);
  await signIn.getByRole("button", { name: "Sign in" }).click();
  await signIn.waitForURL((u) => !u.pathname.startsWith("/sign-in"), { timeout: 30_000 });
  const storageState = await signInContext.storageState();
  await signInContext.close();

  const context = await browser.newContext({
    storageState,
    viewport: { width: 1440, height: 1000 },
  });
  const page = await context.newPage();
  await page.addInitScript(() => {
    const w = window as unknown as { __lcp: number; __cls: number };
    w.__lcp = 0;
    w.__cls = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) w.__lcp = entry.startTime;
    }).observe({ type: "largest-contentful-paint", buffered: true });
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as (PerformanceEntry & {
        value: number;
        hadRecentInput: boolean;
      })[]) {
        if (!entry.hadRecentInput) w.__cls += entry.value;
      }
    }).observe({ type: "layout-shift", buffered: true });
  });

  const scripts: Response[] = [];
  page.on("response", (response) => {
    if (response.request().resourceType() === "script") scripts.push(response);
  });
  const navigation = await page.goto(`${args.url}${args.path}`, { waitUntil: "load" });
  if (!navigation?.ok()) throw new Error(`${args.path} answered ${navigation?.status()}`);
  await page.waitForLoadState("networkidle");
  // Let late layout shifts (charts arriving) be counted; a user would see them too.
  await page.waitForTimeout(1500);

  // The scripts the server's HTML names; anything fetched later (chunks a dynamic import adds
  // to the DOM after hydration) is lazy.
  const html = await navigation.text();
  const referenced = new Set(
    [...html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)].map(
      (m) => new URL(m[1]!.replaceAll("&amp;", "&"), navigation.url()).href,
    ),
  );
  let firstLoad = 0;
  let lazy = 0;
  const files: { url: string; bytes: number; firstLoad: boolean }[] = [];
  for (const response of scripts) {
    const bytes = (await response.request().sizes()).responseBodySize;
    const isFirst = referenced.has(response.url());
    if (isFirst) firstLoad += bytes;
    else lazy += bytes;
    files.push({ url: new URL(response.url()).pathname, bytes, firstLoad: isFirst });
  }
  const vitals = await page.evaluate(() => {
    // LCP is final once the user interacts; stop it here so later paints do not count.
    const w = window as unknown as { __lcp: number; __cls: number };
    return { lcpMs: Math.round(w.__lcp), cls: Number(w.__cls.toFixed(4)) };
  });
  if (args.screenshot) await page.screenshot({ path: args.screenshot, fullPage: true });

  const kb = (n: number) => Math.round((n / 1024) * 10) / 10;
  console.log(
    JSON.stringify(
      {
        path: args.path,
        firstLoadJsKbGzip: kb(firstLoad),
        lazyJsKbGzip: kb(lazy),
        ...vitals,
        files: files.sort((a, b) => b.bytes - a.bytes).map((f) => ({ ...f, kb: kb(f.bytes) })),
      },
      null,
      2,
    ),
  );
  await context.close();
} finally {
  await browser.close();
}
