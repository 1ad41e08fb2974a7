import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { events, reconciliationResults, rejectedEvents } from "@/db/schema";
import { CsvUploadResponse } from "@/lib/contract/responses";
import { CSV_DEFAULT_SOURCE, CSV_MAX_BYTES, CSV_MAX_ROWS } from "@/lib/ingest/csv";
import { handleCsvUploadRequest } from "@/lib/ingest/csv-http";
import { suiteWithKeys } from "../support/api-keys";

/*
 * POST /api/v1/reconciliation-results/upload, driven through the handler the route uses with
 * real Request objects: auth, body reading, CSV parsing, validation and the committed rows.
 */

// Signed out: the routes answer to API keys alone (tests/support/no-session.ts).
vi.mock("next-auth", async () => (await import("../support/no-session")).withoutSession());

const URL_ = "http://closeline.test/api/v1/reconciliation-results/upload";
const HEADER =
  "runId,kind,entity,periodStart,periodEnd,key,currency,expectedMinor,actualMinor,toleranceMinor";

const { t, keys } = suiteWithKeys({ writer: ["ingest"], reader: ["read"] });

interface Answer {
  status: number;
  body: {
    accepted?: number;
    duplicates?: number;
    rejected?: { index: number; line: number; id: string | null; errors: string[] }[];
    error?: { code: string; message: string; details?: unknown };
  };
}

async function upload(
  body: BodyInit,
  options: { key?: string | null; contentType?: string | null } = {},
): Promise<Answer> {
  const headers = new Headers();
  const key = options.key === undefined ? keys.writer : options.key;
  if (key) headers.set("authorization", `Bearer ${key}`);
  const contentType = options.contentType === undefined ? "text/csv" : options.contentType;
  if (contentType) headers.set("content-type", contentType);
  const response = await handleCsvUploadRequest(
    t.db,
    new Request(URL_, { method: "POST", headers, body }),
  );
  return { status: response.status, body: (await response.json()) as Answer["body"] };
}

/** A unique run id per test, so tests sharing the database never see each other's rows. */
const newRun = () => `rec-test-${randomUUID().slice(0, 8)}`;

function row(run: string, key: string, overrides: Partial<Record<string, string>> = {}): string {
  const cells = {
    runId: run,
    kind: "billing_vs_erp",
    entity: "ACME-US",
    periodStart: "2026-10-01T00:00:00Z",
    periodEnd: "2026-11-01T00:00:00Z",
    key,
    currency: "USD",
    expectedMinor: "129900",
    actualMinor: "114900",
    toleranceMinor: "100",
    ...overrides,
  };
  return Object.values(cells).join(",");
}

async function resultsOf(run: string) {
  return t.db
    .select()
    .from(reconciliationResults)
    .where(eq(reconciliationResults.runId, run))
    .orderBy(reconciliationResults.key);
}

describe("a file with good and bad rows", () => {
  const run = newRun();
  const file = [
    HEADER, //                                                                   line 1
    row(run, "cus_good_1"), //                                                   line 2
    row(run, "cus_bad_amount", { actualMinor: "1149.00" }), //                   line 3
    "", //                                                                       line 4
    row(run, "cus_bad_currency", { currency: "XYZ" }), //                        line 5
    row(run, "cus_missing_entity", { entity: "" }), //                           line 6
    row(run, "cus_bad_date", { periodEnd: "2026-11-31T00:00:00Z" }), //         line 7
    row(run, "cus_good_2", { toleranceMinor: "", expectedMinor: "-500" }), //   line 8
  ].join("\n");

  it("stores the good rows and lists each bad one with its line and field", async () => {
    const res = await upload(file);
    expect(res.status).toBe(200);
    expect(CsvUploadResponse.safeParse(res.body).success).toBe(true);
    expect(res.body.accepted).toBe(2);
    expect(res.body.duplicates).toBe(0);

    const rejected = res.body.rejected!;
    expect(rejected.map((r) => [r.index, r.line])).toEqual([
      [1, 3],
      [2, 5],
      [3, 6],
      [4, 7],
    ]);
    expect(rejected[0]!.errors).toEqual([expect.stringMatching(/^data\.actualMinor: /)]);
    expect(rejected[1]!.errors).toEqual(["data.currency: is not an ISO 4217 currency code"]);
    expect(rejected[2]!.errors).toEqual([expect.stringMatching(/^data\.entity: /)]);
    expect(rejected[3]!.errors).toEqual([
      "data.periodEnd: must be an RFC 3339 date-time with a time zone",
    ]);
    for (const r of rejected) expect(r.id).toMatch(/^csv-[0-9a-f]{64}$/);

    const stored = await resultsOf(run);
    expect(stored).toHaveLength(2);
    expect(stored[0]).toMatchObject({
      key: "cus_good_1",
      kind: "billing_vs_erp",
      entity: "ACME-US",
      currency: "USD",
      expectedMinor: 129900,
      actualMinor: 114900,
      toleranceMinor: 100,
    });
    expect(stored[0]!.periodStart.toISOString()).toBe("2026-10-01T00:00:00.000Z");
    // An empty optional cell takes the contract's default.
    expect(stored[1]).toMatchObject({ key: "cus_good_2", expectedMinor: -500, toleranceMinor: 0 });
  });

  it("keeps the bad rows in rejected_events, marked as coming from a CSV upload", async () => {
    const kept = await t.db
      .select()
      .from(rejectedEvents)
      .where(and(eq(rejectedEvents.channel, "csv"), eq(rejectedEvents.source, CSV_DEFAULT_SOURCE)));
    const ours = kept.filter(
      (r) => (r.payload as { data?: { runId?: string } }).data?.runId === run,
    );
    expect(ours.map((r) => r.batchIndex).sort()).toEqual([1, 2, 3, 4]);
    expect(ours.every((r) => r.type === "reconciliation.result")).toBe(true);
  });

  it("answers a re-upload of the same file with duplicates and changes nothing", async () => {
    const before = await resultsOf(run);
    const res = await upload(file);
    expect(res.status).toBe(200);
    expect(res.body.accepted).toBe(0);
    expect(res.body.duplicates).toBe(2);
    expect(res.body.rejected).toHaveLength(4);
    expect(await resultsOf(run)).toEqual(before);
  });

  it("recognises the same rows with other line endings and column order", async () => {
    const columns = HEADER.split(",");
    const reordered = [...columns].reverse();
    const lines = file
      .split("\n")
      .filter(Boolean)
      .map((line) => {
        const cells = line.split(",");
        return reordered.map((name) => cells[columns.indexOf(name)]).join(",");
      });
    const res = await upload(lines.join("\r\n") + "\r\n");
    expect(res.body).toMatchObject({ accepted: 0, duplicates: 2 });
  });
});

describe("row contents", () => {
  it("takes id, source and time from their columns when present", async () => {
    const run = newRun();
    const file = [
      `id,source,time,${HEADER}`,
      `r-1,urn:erp:recon,2026-11-02T08:00:00Z,${row(run, "cus_1")}`,
      `,,,${row(run, "cus_2")}`,
    ].join("\n");
    const res = await upload(file);
    expect(res.body).toMatchObject({ accepted: 2, duplicates: 0, rejected: [] });
    const stored = await t.db
      .select({ id: events.eventId, source: events.source, time: events.time })
      .from(events)
      .where(eq(events.type, "reconciliation.result"));
    expect(stored).toContainEqual({
      id: "r-1",
      source: "urn:erp:recon",
      time: new Date("2026-11-02T08:00:00Z"),
    });
  });

  it("counts lines of a quoted value that spans lines", async () => {
    const run = newRun();
    const file = [
      HEADER,
      row(run, '"multi\nline key"'),
      "",
      row(run, "cus_late", { kind: "usage_vs_erp" }),
    ].join("\n");
    const res = await upload(file);
    expect(res.body.accepted).toBe(1);
    expect(res.body.rejected).toEqual([
      {
        index: 1,
        line: 5,
        id: expect.any(String),
        errors: [expect.stringMatching(/^data\.kind: /)],
      },
    ]);
  });

  it("leaves a number it cannot read as an integer to the contract", async () => {
    const run = newRun();
    const res = await upload([HEADER, row(run, "cus_1", { expectedMinor: "1e3" })].join("\n"));
    expect(res.body.rejected![0]!.errors).toEqual([
      "data.expectedMinor: Invalid input: expected number, received string",
    ]);
  });
});

describe("files refused as a whole", () => {
  async function expectInvalid(body: string, message: RegExp) {
    const res = await upload(body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "invalid_input" });
    expect(res.body.error!.message).toMatch(message);
    return res.body.error!;
  }

  it("names unknown and missing header columns", async () => {
    const error = await expectInvalid(
      ["runId,kind,entity,periodStart,periodEnd,key,amount,expectedMinor,actualMinor", "x"].join(
        "\n",
      ),
      /missing required column\(s\) currency; unknown column\(s\) "amount"/,
    );
    expect(error.details).toEqual({ missing: ["currency"], unknown: ["amount"], repeated: [] });
  });

  it("names a repeated column", async () => {
    await expectInvalid(`${HEADER},currency\n`, /repeated column\(s\) currency/);
  });

  it("keeps a refused file in rejected_events", async () => {
    const marker = `unknown_${randomUUID().slice(0, 8)}`;
    await expectInvalid(`${HEADER},${marker}\n`, new RegExp(marker));
    const kept = await t.db.select().from(rejectedEvents).where(eq(rejectedEvents.channel, "csv"));
    expect(kept.some((r) => (r.payload as { raw?: string }).raw?.includes(marker))).toBe(true);
  });

  it("refuses an empty file and one with only a header", async () => {
    await expectInvalid("", /file: is empty/);
    await expectInvalid("\n\n", /file: is empty/);
    await expectInvalid(`${HEADER}\n`, /no rows/);
  });

  it("refuses a file that is not well-formed CSV, naming the line", async () => {
    await expectInvalid(
      `${HEADER}\n\n${row(newRun(), "cus_1")},extra\n`,
      /line 3 has 11 values; the header has 10 columns/,
    );
    await expectInvalid(`${HEADER}\n"unclosed,quote\n`, /not valid CSV \(Quote Not Closed/);
  });

  it(`refuses more than ${CSV_MAX_ROWS} rows`, async () => {
    const run = newRun();
    const rows = Array.from({ length: CSV_MAX_ROWS + 1 }, (_, i) => row(run, `cus_${i}`));
    await expectInvalid([HEADER, ...rows].join("\n"), /at most 10000 rows; got 10001/);
    expect(await resultsOf(run)).toHaveLength(0);
  });

  it("answers 413 for a file over 5 MB, as a body or as a form field", async () => {
    const big = `${HEADER}\n${"x".repeat(CSV_MAX_BYTES)}`;
    expect((await upload(big)).status).toBe(413);
    const form = new FormData();
    form.set("file", new Blob([big], { type: "text/csv" }), "results.csv");
    expect((await upload(form, { contentType: null })).status).toBe(413);
  });

  it("answers 415 for a body that is neither CSV nor a form", async () => {
    const res = await upload(HEADER, { contentType: "application/x-www-form-urlencoded" });
    expect(res.status).toBe(415);
    expect(res.body.error!.message).toMatch(/text\/csv or multipart\/form-data/);
  });
});

describe("multipart/form-data", () => {
  it("reads the file field", async () => {
    const run = newRun();
    const form = new FormData();
    form.set("note", "ignored");
    form.set(
      "file",
      new Blob([[HEADER, row(run, "cus_1"), row(run, "cus_2", { currency: "usd" })].join("\n")], {
        type: "text/csv",
      }),
      "results.csv",
    );
    // No explicit content type: fetch sets multipart/form-data with its boundary.
    const res = await upload(form, { contentType: null });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(res.body.rejected).toEqual([
      {
        index: 1,
        line: 3,
        id: expect.any(String),
        errors: [
          "data.currency: must be a three-letter upper-case ISO 4217 code",
          "data.currency: is not an ISO 4217 currency code",
        ],
      },
    ]);
    expect(await resultsOf(run)).toHaveLength(1);
  });

  it("refuses a form without a file field", async () => {
    const form = new FormData();
    form.set("upload", new Blob(["a"]), "x.csv");
    const res = await upload(form, { contentType: null });
    expect(res.status).toBe(400);
    expect(res.body.error!.message).toMatch(/no "file" field/);
  });
});

describe("authentication", () => {
  const file = () => [HEADER, row(newRun(), "cus_1")].join("\n");

  it("answers 401 without a key", async () => {
    expect((await upload(file(), { key: null })).status).toBe(401);
  });

  it("answers 403 for a key without the ingest scope", async () => {
    expect((await upload(file(), { key: keys.reader })).status).toBe(403);
  });
});
