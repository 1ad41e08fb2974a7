import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it, vi } from "vitest";
import type { z } from "zod";
import type { KpiReport } from "@/lib/contract/kpi-report";
import {
  type CloseReadinessResponse,
  type QueueCountsResponse,
  type QueuePageResponse,
} from "@/lib/contract/read-responses";
import { handleCloseReadiness } from "@/lib/close/http";
import type { CloseReadiness } from "@/lib/close/readiness";
import { handleExceptionCounts, handleListExceptions } from "@/lib/exceptions/http";
import type { QueueCounts, QueuePage } from "@/lib/exceptions/queue";
import type { KpiReport as EngineKpiReport } from "@/lib/kpi/engine";
import { handleKpis } from "@/lib/kpi/http";
import { registerDemoIngestKey } from "@/lib/server/demo";
import { replayDemoHistory } from "@/lib/server/demo-history";
import { ENTITIES } from "@/lib/simulator";
import { answer, apiRequest, serviceKey } from "../api/support";
import { createTestDb, type TestDb } from "../support/db";

/*
 * The read routes' answers, as the OpenAPI document gives them: the handlers' own types fit
 * the documented schemas, and real answers over ten days of the demo company's telemetry
 * (exceptions of every kind, a month with blockers) validate against the served document.
 */

vi.mock("next-auth", async (importOriginal) => ({
  ...(await importOriginal<Record<string, unknown>>()),
  getServerSession: async () => null,
}));

const DAY = 86_400_000;
const UNTIL = Date.parse("2026-11-06T12:00:00Z");
const ENTITY = ENTITIES[0]!.code;

let t: TestDb;
let token: string;

beforeAll(async () => {
  t = await createTestDb();
  const key = await registerDemoIngestKey(t.db, `cl_${randomBytes(32).toString("base64url")}`);
  await replayDemoHistory(t.db, {
    seed: 7,
    since: UNTIL - 10 * DAY,
    until: UNTIL,
    apiKeyId: key.id,
    team: null,
    log: () => {},
  });
  token = (await serviceKey(t.db, ["read"])).key;
}, 300_000);

afterAll(async () => {
  await t?.close();
});

const get = (path: string) => apiRequest("GET", path, { token });

/**
 * GET `path` through its route's handler, the answer held to the document's operation for the
 * path (these routes take no path parameters, so the path less its query names it).
 */
const read = <T = Record<string, unknown>>(
  handler: (db: TestDb["db"], request: Request) => Promise<Response>,
  path: string,
) => answer<T>(handler(t.db, get(path)), `GET ${path.split("?")[0]}`);

describe("the read routes' documented answers", () => {
  it("the schemas describe what the handlers return", () => {
    expectTypeOf<QueuePage>().toExtend<z.input<typeof QueuePageResponse>>();
    expectTypeOf<QueueCounts>().toExtend<z.input<typeof QueueCountsResponse>>();
    expectTypeOf<CloseReadiness>().toExtend<z.input<typeof CloseReadinessResponse>>();
    expectTypeOf<EngineKpiReport>().toExtend<z.input<typeof KpiReport>>();
  });

  it("a queue page, and the page after it, match the document", async () => {
    const first = await read<z.infer<typeof QueuePageResponse>>(
      handleListExceptions,
      "/api/v1/exceptions?status=open,in_progress&size=25",
    );
    expect(first.status).toBe(200);
    expect(first.body.items.length).toBeGreaterThan(0);
    expect(new Set(first.body.items.map((item) => item.type)).size).toBeGreaterThan(1);
    if (first.body.nextCursor) {
      const next = await read(
        handleListExceptions,
        `/api/v1/exceptions?size=25&after=${encodeURIComponent(first.body.nextCursor)}`,
      );
      expect(next.status).toBe(200);
    }
  });

  it("the queue's counts match the document", async () => {
    const counts = await read<z.infer<typeof QueueCountsResponse>>(
      handleExceptionCounts,
      "/api/v1/exceptions/counts",
    );
    expect(counts.status).toBe(200);
    expect(counts.body.total.count).toBeGreaterThan(0);
  });

  it("a month's close readiness, with its blockers, matches the document", async () => {
    const readiness = await read<z.infer<typeof CloseReadinessResponse>>(
      handleCloseReadiness,
      `/api/v1/close-readiness?entity=${ENTITY}&period=2026-11`,
    );
    expect(readiness.status).toBe(200);
    expect(readiness.body.checks).toHaveLength(6);
    expect(readiness.body.checks.some((check) => check.blockers.length > 0)).toBe(true);
  });

  it("the KPI report over the ten days matches the document", async () => {
    const from = new Date(UNTIL - 10 * DAY).toISOString();
    const to = new Date(UNTIL).toISOString();
    const kpis = await read(handleKpis, `/api/v1/kpis?from=${from}&to=${to}&entity=${ENTITY}`);
    expect(kpis.status).toBe(200);
  });

  it("an error answer matches the document too", async () => {
    const unknown = await read(
      handleCloseReadiness,
      "/api/v1/close-readiness?entity=NOBODY&period=2026-11",
    );
    expect(unknown.status).toBe(404);
  });
});
