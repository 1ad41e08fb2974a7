import type { Permission } from "./permissions";

/**
 * The access rule of every page and API route, keyed by its path as the file system names it.
 * A route without a rule fails tests/auth/route-access.test.ts, and each page and handler
 * checks its own rule through lib/auth/guard.ts, so this table is also what is enforced.
 *
 * - `public`: anyone (sign-in, health, the API contract).
 * - `signed-in`: any active user.
 * - `{ permission }`: a signed-in user, or a personal token's user, whose role has it.
 * - `{ apiKey }`: a service key with the scope; `orPermission` also admits a signed-in user
 *   or a personal token whose user's role has it.
 * - `internal`: the local operator channel (bearer token from the data folder, loopback only).
 */
export type AccessRule =
  | "public"
  | "signed-in"
  | "internal"
  | { permission: Permission }
  | { apiKey: "ingest" | "read" | "work"; orPermission?: Permission };

export const ROUTE_ACCESS: Record<string, AccessRule> = {
  // Pages
  /** Sends each role to the first area it may see. */
  "/": "signed-in",
  "/overview": { permission: "kpis:read" },
  /** The records behind an overview tile. */
  "/overview/[kpi]": { permission: "kpis:read" },
  /** One raw event; the page also requires kpis:read or ingestion:read (a rule cannot say "or"). */
  "/events/[seq]": "signed-in",
  "/sign-in": "public",
  /** The user's own account and preferences (time zone). */
  "/profile": "signed-in",
  "/ingestion": { permission: "ingestion:read" },
  "/exceptions": { permission: "exceptions:read" },
  "/exceptions/[id]": { permission: "exceptions:read" },
  "/close": { permission: "close:read" },
  /** One invoice's and one customer's revenue thread. */
  "/threads/invoice/[id]": { permission: "threads:read" },
  "/threads/customer/[id]": { permission: "threads:read" },
  /** Exceptions that share a cause: read and acted on as the exceptions are. */
  "/threads/contract/[id]": { permission: "threads:read" },
  "/incidents": { permission: "exceptions:read" },
  "/incidents/[id]": { permission: "exceptions:read" },
  "/admin": { permission: "admin:users" },
  "/admin/users": { permission: "admin:users" },
  "/admin/api-keys": { permission: "admin:api-keys" },
  "/admin/audit": { permission: "admin:audit" },
  "/admin/settings": { permission: "admin:settings" },
  /** Webhook endpoints of the outbox, its delivery log and dead-lettered commands. */
  "/admin/webhooks": { permission: "admin:settings" },
  // API
  "/api/health": "public",
  "/api/auth/[...nextauth]": "public",
  "/api/internal/cli": "internal",
  "/api/v1/openapi.json": "public",
  "POST /api/v1/events": { apiKey: "ingest" },
  "GET /api/v1/events": { apiKey: "read", orPermission: "ingestion:read" },
  "GET /api/v1/kpis": { apiKey: "read", orPermission: "kpis:read" },
  "GET /api/v1/exceptions": { apiKey: "read", orPermission: "exceptions:read" },
  "GET /api/v1/exceptions/counts": { apiKey: "read", orPermission: "exceptions:read" },
  "GET /api/v1/exceptions/[id]": { apiKey: "read", orPermission: "exceptions:read" },
  /** The queue's actions: a person who may work exceptions, or a service key with work. */
  "POST /api/v1/exceptions/[id]/assign": { apiKey: "work", orPermission: "exceptions:work" },
  "POST /api/v1/exceptions/[id]/start": { apiKey: "work", orPermission: "exceptions:work" },
  "POST /api/v1/exceptions/[id]/comments": { apiKey: "work", orPermission: "exceptions:work" },
  "POST /api/v1/exceptions/[id]/retry": { apiKey: "work", orPermission: "exceptions:work" },
  "POST /api/v1/exceptions/[id]/resolve": { apiKey: "work", orPermission: "exceptions:work" },
  "POST /api/v1/exceptions/[id]/dismiss": { apiKey: "work", orPermission: "exceptions:work" },
  "POST /api/v1/exceptions/[id]/replay": { apiKey: "work", orPermission: "exceptions:work" },
  "POST /api/v1/exceptions/bulk": { apiKey: "work", orPermission: "exceptions:work" },
  "POST /api/v1/exceptions/[id]/corrections": {
    apiKey: "work",
    orPermission: "corrections:propose",
  },
  "GET /api/v1/corrections": { apiKey: "read", orPermission: "exceptions:read" },
  "GET /api/v1/corrections/[id]": { apiKey: "read", orPermission: "exceptions:read" },
  /** Deciding needs a person (a session or a personal token): never a service key. */
  "POST /api/v1/corrections/[id]/approve": { permission: "corrections:approve" },
  "POST /api/v1/corrections/[id]/reject": { permission: "corrections:approve" },
  "POST /api/v1/exceptions/[id]/dismiss-events": {
    apiKey: "work",
    orPermission: "exceptions:work",
  },
  "GET /api/v1/exceptions.csv": { apiKey: "read", orPermission: "exceptions:read" },
  "GET /api/v1/threads/invoice/[id]": { apiKey: "read", orPermission: "threads:read" },
  "GET /api/v1/threads/customer/[id]": { apiKey: "read", orPermission: "threads:read" },
  "GET /api/v1/search": { apiKey: "read", orPermission: "threads:read" },
  "GET /api/v1/threads/contract/[id]": { apiKey: "read", orPermission: "threads:read" },
  "GET /api/v1/incidents": { apiKey: "read", orPermission: "exceptions:read" },
  "GET /api/v1/incidents/[id]": { apiKey: "read", orPermission: "exceptions:read" },
  /** Retrying an incident is retrying each member: the exception retry's rule. */
  "POST /api/v1/incidents/[id]/retry": { apiKey: "work", orPermission: "exceptions:work" },
  "GET /api/v1/close-readiness": { apiKey: "read", orPermission: "close:read" },
  "GET /api/v1/close-readiness.csv": { apiKey: "read", orPermission: "close:read" },
  "/alerts": { permission: "alerts:read" },
  "GET /api/v1/alerts": { apiKey: "read", orPermission: "alerts:read" },
  "POST /api/v1/alerts/[id]/acknowledge": { permission: "alerts:acknowledge" },
  /** Each notice of an alert and every attempt at it: its delivery log. */
  "GET /api/v1/alerts/[id]/deliveries": { apiKey: "read", orPermission: "alerts:read" },
  /** The shell's bell: how many alerts are firing. */
  "GET /api/v1/alerts/counts": { apiKey: "read", orPermission: "alerts:read" },
  /** Silencing is part of answering an alert: whoever may acknowledge may silence. */
  "GET /api/v1/alert-silences": { permission: "alerts:read" },
  "POST /api/v1/alert-silences": { permission: "alerts:acknowledge" },
  "GET /api/v1/alert-silences/[id]": { permission: "alerts:read" },
  "DELETE /api/v1/alert-silences/[id]": { permission: "alerts:acknowledge" },
  "GET /api/v1/alert-rules": { permission: "alerts:read" },
  "POST /api/v1/alert-rules": { permission: "alerts:manage" },
  /** How often a rule as written would have fired over the last 30 days; saves nothing. */
  "POST /api/v1/alert-rules/backtest": { permission: "alerts:manage" },
  "GET /api/v1/alert-rules/[id]": { permission: "alerts:read" },
  "PATCH /api/v1/alert-rules/[id]": { permission: "alerts:manage" },
  "DELETE /api/v1/alert-rules/[id]": { permission: "alerts:manage" },
  /** Channels hold delivery addresses (a Slack webhook URL is itself a credential). */
  "GET /api/v1/alert-channels": { permission: "alerts:manage" },
  "POST /api/v1/alert-channels": { permission: "alerts:manage" },
  "GET /api/v1/alert-channels/[id]": { permission: "alerts:manage" },
  "PATCH /api/v1/alert-channels/[id]": { permission: "alerts:manage" },
  "DELETE /api/v1/alert-channels/[id]": { permission: "alerts:manage" },
  /** One's own digests; sending one to a channel is checked again in lib/digests (alerts:manage). */
  "GET /api/v1/digests": { permission: "digests:own" },
  "POST /api/v1/digests": { permission: "digests:own" },
  "GET /api/v1/digests/[id]": { permission: "digests:own" },
  "PATCH /api/v1/digests/[id]": { permission: "digests:own" },
  "DELETE /api/v1/digests/[id]": { permission: "digests:own" },
  /** The rates behind every conversion into the reporting currency, as exceptions show them. */
  "GET /api/v1/fx-rates": { apiKey: "read", orPermission: "exceptions:read" },
  /** Entering a rate is the settings page's admin form: a person, never a service key. */
  "POST /api/v1/fx-rates": { permission: "admin:settings" },
  /** Any other /api path: a JSON 404, the same for everyone. */
  "/api/[...path]": "public",
  "POST /api/v1/reconciliation-results/upload": {
    apiKey: "ingest",
    orPermission: "ingestion:read",
  },
};

export function accessRule(route: string): AccessRule {
  const rule = ROUTE_ACCESS[route];
  if (!rule)
    throw new Error(`No access rule for route ${route}: add it to lib/auth/route-access.ts`);
  return rule;
}

/** Page routes as patterns, most specific first, for finding a request path's rule. */
const PAGE_PATTERNS = Object.keys(ROUTE_ACCESS)
  .filter((route) => route.startsWith("/") && !route.startsWith("/api/"))
  .map((route) => ({
    route,
    pattern: new RegExp(
      `^${route.replace(/\[\.\.\.[^\]]+\]/g, ".+").replace(/\[[^\]]+\]/g, "[^/]+")}/?$`,
    ),
    dynamic: route.includes("["),
  }))
  .sort((a, b) => Number(a.dynamic) - Number(b.dynamic));

/** The page route ("/overview/[kpi]") a request path ("/overview/invoice-latency") belongs to. */
export function pageRouteOf(pathname: string): string | null {
  return PAGE_PATTERNS.find((p) => p.pattern.test(pathname))?.route ?? null;
}
