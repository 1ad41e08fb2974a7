import { z } from "zod";
import type { Db } from "@/db/client";
import { listAlerts } from "@/lib/alerts/list";
import { ALERT_STATES } from "@/db/schema";
import { requestMeta } from "@/lib/audit";
import { actorUserId, auditActorOf } from "@/lib/auth/actor";
import { actorOf, guardApi, type Principal } from "@/lib/auth/session";
import { InvalidInput, NotFound } from "@/lib/errors";
import { parseQuery } from "@/lib/parse-input";
import { decodeUtf8, readBodyCapped } from "@/lib/http/body";
import { idempotent } from "@/lib/http/idempotency";
import { etag, ifMatchVersion } from "@/lib/http/json-body";
import { handle, json } from "@/lib/http/respond";
import { writeLimiter } from "@/lib/http/write-limit";
import { acknowledgeAlert } from "./acknowledge";
import {
  createChannel,
  deactivateChannel,
  getChannel,
  listChannels,
  updateChannel,
  type WriteContext,
} from "./channels";
import { createRule, deleteRule, getRule, listRules, updateRule } from "./rules";
import { createSilence, getSilence, liftSilence, listSilences } from "./silences";
import { countAlerts } from "./list";
import { backtestRule } from "./backtest";
import { alertDeliveries } from "./deliveries";

/*
 * /api/v1/alert-channels, /api/v1/alert-rules and /api/v1/alerts: parse, call the domain,
 * answer. Each handler checks its own route's rule (lib/auth/route-access.ts), and every write
 * counts against its caller's write limit, as the work API's do (lib/http/write-limit.ts).
 */

const MAX_BODY_BYTES = 64 * 1024;

/** The body parsed, and as sent: an Idempotency-Key's repeat is compared with the first byte for byte. */
async function readJsonWithRaw(request: Request): Promise<{ body: unknown; raw: string }> {
  const raw = decodeUtf8(await readBodyCapped(request, MAX_BODY_BYTES));
  try {
    return { body: JSON.parse(raw) as unknown, raw };
  } catch {
    throw new InvalidInput("Body is not valid JSON");
  }
}

/** A JSON body of at most 64 KiB; anything else is a 400 (or 413). */
export const readApiJson = async (request: Request) => (await readJsonWithRaw(request)).body;

/** An answer carrying the item's version as its ETag, to send back as If-Match. */
const versioned = <T extends { version: number }>(item: T, init: ResponseInit = {}) =>
  json(item, { ...init, headers: { ...init.headers, etag: etag(item.version) } });

/** A POST that creates: with an Idempotency-Key, a repeat answers the first answer. */
async function createIdempotently(
  db: Db,
  request: Request,
  principal: Principal,
  create: (body: unknown) => Promise<Response>,
): Promise<Response> {
  const { body, raw } = await readJsonWithRaw(request);
  return idempotent(db, request, principal, raw, () => create(body));
}

/** Who writes, for the audit log (as every other write names its actor), and from where. */
export function auditContextOf(principal: Principal, request: Request) {
  const actor = actorOf(principal);
  return { userId: actorUserId(actor), actor: auditActorOf(actor), meta: requestMeta(request) };
}

/** Who writes, and the version they expect (If-Match): for the items that carry a version. */
const writeContextOf = (principal: Principal, request: Request) => ({
  ...auditContextOf(principal, request),
  ifVersion: ifMatchVersion(request),
});

const Id = z.uuid();
export function parseApiId(id: string, what: string): string {
  if (!Id.safeParse(id).success) throw new NotFound(`No ${what} with that id`);
  return id;
}

/*
 * Route rules are passed written out in full ("PATCH /api/v1/alert-rules/[id]"), never built
 * from a path: each stays findable as the string lib/auth/route-access.ts and its test name.
 */

/**
 * A collection of versioned items (channels, rules, silences): GET lists them; POST creates
 * one, idempotently, and answers it with its version as ETag.
 */
function versionedCollection(
  rules: { list: string; create: string },
  list: (db: Db) => Promise<unknown[]>,
  create: (db: Db, body: unknown, context: WriteContext) => Promise<{ version: number }>,
) {
  return handle(async (db: Db, request: Request) => {
    if (request.method === "POST") {
      const principal = await guardApi(db, request, rules.create);
      writeLimiter.take(principal);
      return createIdempotently(db, request, principal, async (body) =>
        versioned(await create(db, body, writeContextOf(principal, request)), { status: 201 }),
      );
    }
    await guardApi(db, request, rules.list);
    return json({ data: await list(db) });
  });
}

type ItemMethod = "GET" | "PATCH" | "DELETE";
const itemMethod = (request: Request): ItemMethod =>
  request.method === "PATCH" || request.method === "DELETE" ? request.method : "GET";

/**
 * One versioned item: GET reads it, PATCH changes it and DELETE removes it, each write
 * against the version in If-Match. `noun` names it in the 404 of a malformed id.
 */
function versionedItem<T extends { version: number }>(
  rules: Record<ItemMethod, string>,
  noun: string,
  item: {
    get: (db: Db, id: string) => Promise<T>;
    update: (db: Db, id: string, body: unknown, context: WriteContext) => Promise<T>;
    remove: (db: Db, id: string, context: WriteContext) => Promise<void>;
  },
) {
  return handle(async (db: Db, request: Request, rawId: string) => {
    const method = itemMethod(request);
    const principal = await guardApi(db, request, rules[method]);
    if (request.method !== "GET") writeLimiter.take(principal);
    const id = parseApiId(rawId, noun);
    switch (method) {
      case "PATCH":
        return versioned(
          await item.update(db, id, await readApiJson(request), writeContextOf(principal, request)),
        );
      case "DELETE":
        await item.remove(db, id, writeContextOf(principal, request));
        return new Response(null, { status: 204 });
      default:
        return versioned(await item.get(db, id));
    }
  });
}

export const handleChannelCollection = versionedCollection(
  { list: "GET /api/v1/alert-channels", create: "POST /api/v1/alert-channels" },
  listChannels,
  // A replay answers the first answer, secret included: the caller who lost it gets it again.
  async (db, body, context) => {
    const { channel, secret } = await createChannel(db, body, context);
    // The signing secret is shown this once; no later answer carries it.
    return { ...channel, ...(secret ? { secret } : {}) };
  },
);

export const handleChannelItem = versionedItem(
  {
    GET: "GET /api/v1/alert-channels/[id]",
    PATCH: "PATCH /api/v1/alert-channels/[id]",
    DELETE: "DELETE /api/v1/alert-channels/[id]",
  },
  "alert channel",
  {
    get: getChannel,
    update: updateChannel,
    remove: deactivateChannel,
  },
);

export const handleRuleCollection = versionedCollection(
  { list: "GET /api/v1/alert-rules", create: "POST /api/v1/alert-rules" },
  listRules,
  createRule,
);

export const handleRuleItem = versionedItem(
  {
    GET: "GET /api/v1/alert-rules/[id]",
    PATCH: "PATCH /api/v1/alert-rules/[id]",
    DELETE: "DELETE /api/v1/alert-rules/[id]",
  },
  "alert rule",
  {
    get: getRule,
    update: updateRule,
    remove: deleteRule,
  },
);

const AlertsQuery = z.object({
  state: z.enum(ALERT_STATES).exclude(["pending"]).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const handleAlertList = handle(async (db: Db, request: Request) => {
  await guardApi(db, request, "GET /api/v1/alerts");
  const query = parseQuery(AlertsQuery, new URL(request.url).searchParams);
  const states = query.state ? [query.state] : (["firing", "resolved"] as const);
  return json({ data: await listAlerts(db, { states: [...states], limit: query.limit }) });
});

export const handleAcknowledge = handle(async (db: Db, request: Request, rawId: string) => {
  const principal = await guardApi(db, request, "POST /api/v1/alerts/[id]/acknowledge");
  writeLimiter.take(principal);
  const id = parseApiId(rawId, "alert");
  const { body, raw } = await readJsonWithRaw(request);
  return idempotent(db, request, principal, raw, async () => {
    const comment = body && typeof body === "object" ? (body as { comment?: unknown }).comment : "";
    await acknowledgeAlert(db, id, { comment }, writeContextOf(principal, request));
    return new Response(null, { status: 204 });
  });
});

export const handleSilenceCollection = versionedCollection(
  { list: "GET /api/v1/alert-silences", create: "POST /api/v1/alert-silences" },
  listSilences,
  createSilence,
);

export const handleSilenceItem = handle(async (db: Db, request: Request, rawId: string) => {
  if (request.method === "DELETE") {
    const principal = await guardApi(db, request, "DELETE /api/v1/alert-silences/[id]");
    writeLimiter.take(principal);
    await liftSilence(db, parseApiId(rawId, "silence"), writeContextOf(principal, request));
    return new Response(null, { status: 204 });
  }
  await guardApi(db, request, "GET /api/v1/alert-silences/[id]");
  return versioned(await getSilence(db, parseApiId(rawId, "silence")));
});

export const handleAlertCounts = handle(async (db: Db, request: Request) => {
  await guardApi(db, request, "GET /api/v1/alerts/counts");
  return json(await countAlerts(db));
});

export const handleRuleBacktest = handle(async (db: Db, request: Request) => {
  // It reads 30 days of history: it counts against the caller's write limit like a write.
  writeLimiter.take(await guardApi(db, request, "POST /api/v1/alert-rules/backtest"));
  return json(await backtestRule(db, await readApiJson(request)));
});

export const handleAlertDeliveries = handle(async (db: Db, request: Request, rawId: string) => {
  await guardApi(db, request, "GET /api/v1/alerts/[id]/deliveries");
  const id = parseApiId(rawId, "alert");
  return json({ alertId: id, data: await alertDeliveries(db, id) });
});
