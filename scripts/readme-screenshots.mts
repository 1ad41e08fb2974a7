/**
 * Retakes the README's screenshots from a running demo (`npm start`): the overview, the
 * exception queue, one exception, the close portfolio and ingestion health, at 1440 px, each
 * as the role that uses it.
 *
 *   node_modules/.bin/tsx scripts/readme-screenshots.mts [base URL] [demo credentials file]
 */
import fs from "node:fs";
import { chromium, type Page } from "@playwright/test";

const base = process.argv[2] ?? "http://localhost:3000";
const credentialsFile = process.argv[3] ?? ".data/demo-credentials.json";
const out = "docs/screenshots";
const credentials = JSON.parse(fs.readFileSync(credentialsFile, "utf8")) as {
  role: string;
  email: string;
  password: string;
}[];

async function signIn(page: Page, role: string) {
  const who = credentials.find((c) => c.role === role);
  if (!who) throw new Error(`no demo account for ${role} in ${credentialsFile}`);
  await page.goto(`${base}/sign-in`);
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith("/sign-in")),
    page.getByRole("button", { name: "Sign in" }).click(),
  ]);
}

async function shoot(page: Page, path: string, file: string) {
  await page.goto(`${base}${path}`);
  await page.waitForLoadState("networkidle").catch(() => {});
  await page.screenshot({ path: `${out}/${file}`, fullPage: false });
  console.log(`${out}/${file}`);
}

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});
try {
  fs.mkdirSync(out, { recursive: true });
  const viewport = { width: 1440, height: 1000 };
  const finance = await (await browser.newContext({ viewport })).newPage();
  await signIn(finance, "finance");
  await shoot(finance, "/overview", "overview.png");
  await shoot(finance, "/exceptions?sort=amount&dir=desc", "queue.png");
  await finance.goto(`${base}/exceptions?type=reconciliation_break`);
  const first = finance.locator("a[href^='/exceptions/']").first();
  await shoot(finance, (await first.getAttribute("href"))!, "exception.png");
  const executive = await (await browser.newContext({ viewport })).newPage();
  await signIn(executive, "executive");
  await shoot(executive, "/close", "close-portfolio.png");
  const operations = await (await browser.newContext({ viewport })).newPage();
  await signIn(operations, "operations");
  await shoot(operations, "/ingestion", "ingestion.png");
} finally {
  await browser.close();
}
