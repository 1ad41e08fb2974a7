import { randomUUID } from "node:crypto";
import type { APIRequestContext, Browser } from "@playwright/test";
import { ROLES, type Role } from "@/db/schema";
import { can, type Permission } from "@/lib/auth/permissions";
import { ROUTE_ACCESS, type AccessRule } from "@/lib/auth/route-access";
import { revokeApiKey } from "@/lib/auth/api-keys";
import { SYSTEM_ACTOR } from "@/lib/audit";
import { expect, signIn, test } from "./fixtures/auth";

/*
 * Every route, asked by every kind of caller, over real HTTP. The expected answer is
 * derived from the same rule table the server enforces, so this proves the enforcement (not
 * the table, whose role matrix tests/auth/route-access.test.ts pins down by hand).
 */

type Caller =
  | { kind: "anonymous" }
  | { kind: "session"; role: Role }
  | { kind: "key"; scope: "ingest" | "read" | "revoked" };

const CALLERS: Caller[] = [
  { kind: "anonymous" },
  ...ROLES.map((role) => ({ kind: "session" as const, role })),
  { kind: "key", scope: "ingest" },
  { kind: "key", scope: "read" },
  { kind: "key", scope: "revoked" },
];

const label = (c: Caller) =>
  c.kind === "anonymous" ? "anonymous" : c.kind === "session" ? c.role : `${c.scope} key`;

/** Routes whose rule is not about callers of the app: next-auth's own endpoints, the local operator channel. */
const NOT_APP_ROUTES = new Set(["/api/auth/[...nextauth]", "/api/internal/cli"]);

/** Concrete URLs for dynamic segments; a guard runs before the lookup, so a miss is a 404 after it. */
function concrete(path: string): string {
  return path
    .replace("[kpi]", "invoice-latency")
    .replace("[id]", randomUUID())
    .replace("[seq]", "1");
}

type Outcome = "allowed" | "forbidden" | "unauthenticated" | "sign-in";

function expected(route: string, rule: AccessRule, caller: Caller): Outcome {
  const isApi = route.includes("/api/");
  if (rule === "public") return "allowed";
  if (!isApi) {
    if (caller.kind !== "session") return "sign-in";
    if (rule === "signed-in") return "allowed";
    if (typeof rule === "object" && "permission" in rule)
      return can(caller.role, rule.permission) ? "allowed" : "forbidden";
    return "forbidden";
  }
  if (typeof rule !== "object") throw new Error(`unexpected API rule for ${route}`);
  if (caller.kind === "anonymous") return "unauthenticated";
  if (caller.kind === "key") {
    if (caller.scope === "revoked") return "unauthenticated";
    // A valid service key on a route for people: known, but not a person (403, not 401).
    if (!("apiKey" in rule)) return "forbidden";
    return caller.scope === rule.apiKey ? "allowed" : "forbidden";
  }
  const permission: Permission | undefined =
    "permission" in rule ? rule.permission : rule.orPermission;
  if (!permission) return "unauthenticated";
  return can(caller.role, permission) ? "allowed" : "forbidden";
}

function classify(status: number, location: string | null): Outcome | `status ${number}` {
  if (status === 401) return "unauthenticated";
  if (status === 403) return "forbidden";
  if ((status === 307 || status === 302 || status === 303) && location?.includes("/sign-in"))
    return "sign-in";
  // Past the guard: the page or handler answered (a redirect elsewhere, a 404 for the made-up
  // id, a 400/415 for the empty body are all answers only an allowed caller gets).
  if ([200, 204, 307, 308, 400, 404, 415].includes(status)) return "allowed";
  return `status ${status}`;
}

const cases = Object.entries(ROUTE_ACCESS)
  .filter(([route]) => !NOT_APP_ROUTES.has(route))
  .map(([key, rule]) => {
    const [method, path] = key.includes(" ") ? (key.split(" ") as [string, string]) : ["GET", key];
    return { key, method, path, rule };
  });

test.describe.configure({ mode: "serial" });

let sessions: Map<Role, APIRequestContext>;
let keys: Record<"ingest" | "read" | "revoked", string>;
let anonymous: APIRequestContext;

async function sessionFor(
  browser: Browser,
  makeUser: (role: Role) => Promise<{ email: string; password: string }>,
  role: Role,
) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, await makeUser(role));
  await page.close();
  return context.request;
}

test.beforeAll(async ({ browser, makeUser, createApiKey, db, playwright, baseURL }) => {
  sessions = new Map();
  for (const role of ROLES) sessions.set(role, await sessionFor(browser, makeUser, role));
  const revoked = await createApiKey(["ingest", "read"], "to be revoked");
  await revokeApiKey(db, revoked.id, SYSTEM_ACTOR);
  keys = {
    ingest: (await createApiKey(["ingest"])).key,
    read: (await createApiKey(["read"])).key,
    revoked: revoked.key,
  };
  anonymous = await playwright.request.newContext({ baseURL });
});

for (const { key, method, path, rule } of cases) {
  test(`${key}`, async () => {
    const url = concrete(path);
    const results: string[] = [];
    const wanted: string[] = [];
    for (const caller of CALLERS) {
      const request = caller.kind === "session" ? sessions.get(caller.role)! : anonymous;
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (caller.kind === "key") headers.authorization = `Bearer ${keys[caller.scope]}`;
      const response = await request.fetch(url, {
        method,
        headers,
        data: method === "GET" ? undefined : "{}",
        maxRedirects: 0,
      });
      results.push(
        `${label(caller)}: ${classify(response.status(), response.headers()["location"] ?? null)}`,
      );
      wanted.push(
        `${label(caller)}: ${expected(path.startsWith("/api/") ? `/api${path.slice(4)}` : path, rule, caller)}`,
      );
      if (response.status() === 401 || response.status() === 403) {
        if (path.startsWith("/api/")) expect(await response.json()).toHaveProperty("error.code");
      }
    }
    expect(results).toEqual(wanted);
  });
}
