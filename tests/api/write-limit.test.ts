import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { handleAcknowledge, handleRuleItem } from "@/lib/alerts/http";
import { WRITE_RATE } from "@/lib/http/write-limit";
import { handleCsvUploadRequest } from "@/lib/ingest/csv-http";
import { makeUser } from "../exceptions/support";
import { testDbForSuite } from "../support/db";
import { answer, apiRequest, serviceKey, tokenFor } from "./support";

/*
 * Every write through /api/v1 counts against its caller's write limit, not only the work
 * API's: alert rules and acknowledgements, and CSV uploads, answer 429 with Retry-After once a
 * caller's burst is spent (each answer checked against the document by the setup file).
 */

vi.mock("next-auth", async () => (await import("../support/no-session")).withoutSession());

const t = testDbForSuite();
let admin: string;
let uploader: string;

beforeAll(async () => {
  admin = (await tokenFor(t.db, (await makeUser(t.db, "admin")).id)).key;
  uploader = (await serviceKey(t.db, ["ingest"])).key;
});

/** Runs `calls` with the limiter's clock held still, so their own time refills nothing. */
async function withClockHeld<T>(calls: () => Promise<T>): Promise<T> {
  const clock = vi.spyOn(Date, "now").mockReturnValue(Date.now());
  try {
    return await calls();
  } finally {
    clock.mockRestore();
  }
}

/** Sends `send` until the burst is spent: the statuses seen, and the answer past the burst. */
async function spendBurst(send: () => Promise<Response>, operation: string) {
  const statuses = new Set<number>();
  for (let i = 0; i < WRITE_RATE.burst; i++) {
    statuses.add((await answer(send(), operation)).status);
  }
  return { statuses, over: await answer<{ error: { code: string } }>(send(), operation) };
}

describe("the write limit beyond the work API", () => {
  it("an alert writer gets 429 with Retry-After once the burst is spent, on every alert write", async () => {
    const id = randomUUID();
    await withClockHeld(async () => {
      const { statuses, over } = await spendBurst(
        () =>
          handleRuleItem(
            t.db,
            apiRequest("DELETE", `/api/v1/alert-rules/${id}`, { token: admin }),
            id,
          ),
        "DELETE /api/v1/alert-rules/{id}",
      );
      expect([...statuses]).toEqual([404]);
      expect(over.status).toBe(429);
      expect(over.body.error.code).toBe("rate_limited");
      expect(Number(over.headers.get("retry-after"))).toBeGreaterThan(0);
      // The same person's acknowledgement draws on the same spent allowance.
      const acknowledged = await answer(
        handleAcknowledge(
          t.db,
          apiRequest("POST", `/api/v1/alerts/${id}/acknowledge`, { token: admin, body: {} }),
          id,
        ),
        "POST /api/v1/alerts/{id}/acknowledge",
      );
      expect(acknowledged.status).toBe(429);
    });
  });

  it("an uploader gets 429 with Retry-After once the burst is spent", async () => {
    const { statuses, over } = await withClockHeld(() =>
      spendBurst(
        () =>
          handleCsvUploadRequest(
            t.db,
            apiRequest("POST", "/api/v1/reconciliation-results/upload", {
              token: uploader,
              body: "",
              headers: { "content-type": "text/csv" },
            }),
          ),
        "POST /api/v1/reconciliation-results/upload",
      ),
    );
    expect([...statuses]).toEqual([400]);
    expect(over.status).toBe(429);
    expect(Number(over.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});
