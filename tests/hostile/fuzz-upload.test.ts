import fc from "fast-check";
import { describe, it, vi } from "vitest";
import { CSV_DATA_COLUMNS, CSV_ENVELOPE_COLUMNS } from "@/lib/ingest/csv";
import { handleCsvUploadRequest } from "@/lib/ingest/csv-http";
import { testDbForSuite } from "../support/db";
import { timestampArb, validValue, DATA_SCHEMAS } from "./event-arbitraries";
import { UPLOAD_URL, writeHarness } from "./write-harness";
import {
  BOUNDARY_TIMESTAMPS,
  NASTY_STRINGS,
  RawJson,
  SQL_INJECTIONS,
  deepArray,
  expectPrototypesClean,
  fuzzOptions,
  hostileValue,
  readAnswer,
  type Answer,
} from "./support";

/*
 * Hostile input for POST /api/v1/reconciliation-results/upload, through the handler the
 * route uses: any file, as text/csv or a form, gets per-row rejections or a 4xx with a
 * message, never a 5xx, and every row is accounted for.
 */

// No per-key ingest limit (the limiter has tests of its own), and signed out: the routes
// answer to API keys alone.
vi.mock("@/lib/env", async () => (await import("./no-ingest-limit")).withoutIngestLimit());
vi.mock("next-auth", async () => (await import("../support/no-session")).withoutSession());

const t = testDbForSuite();
const { keys, counts, post, expectAccounted } = writeHarness(t);

describe("POST /api/v1/reconciliation-results/upload under fuzzing", () => {
  const COLUMNS = [...CSV_DATA_COLUMNS, ...Object.keys(CSV_ENVELOPE_COLUMNS)];
  const schema = DATA_SCHEMAS["reconciliation.result"].properties ?? {};
  const cellText = (value: unknown) => {
    const text =
      value instanceof RawJson
        ? value.text
        : typeof value === "string"
          ? value
          : (JSON.stringify(value) ?? "");
    return /[",\n\r]/.test(text) || text !== text.trim() ? `"${text.replaceAll('"', '""')}"` : text;
  };
  const cell = (column: string): fc.Arbitrary<unknown> => {
    const valid = schema[column]
      ? validValue(schema[column])
      : column === "time"
        ? timestampArb
        : fc.string({ minLength: 1, maxLength: 30 });
    return fc.oneof(
      { weight: 3, arbitrary: valid },
      {
        weight: 1,
        arbitrary: hostileValue.filter((v) => !(v instanceof RawJson) || v.text.length < 1000),
      },
      {
        weight: 1,
        arbitrary: fc.constantFrom(...NASTY_STRINGS, ...SQL_INJECTIONS, ...BOUNDARY_TIMESTAMPS),
      },
    );
  };
  const csvFile = fc
    .oneof(fc.constant([...CSV_DATA_COLUMNS]), fc.subarray(COLUMNS, { minLength: 1 }))
    .chain((header) =>
      fc.tuple(
        fc.constant(header),
        fc.array(fc.tuple(...header.map(cell)), { minLength: 0, maxLength: 5 }),
      ),
    )
    .map(([header, rows]) =>
      [header.join(","), ...rows.map((r) => r.map(cellText).join(","))].join("\n").concat("\n"),
    );
  const anyText = fc.oneof(
    csvFile,
    fc.string({ unit: "binary", maxLength: 300 }),
    fc.constantFrom(
      "",
      " ",
      "\u0000",
      "a,b\n\u0000,\ud800\n",
      '"unterminated',
      deepArray(10_000).text,
    ),
  );

  it("answers any file, as text/csv or a form, with per-row rejections or a 4xx", async () => {
    await fc.assert(
      fc.asyncProperty(
        anyText,
        fc.constantFrom("text/csv", "multipart", "application/json"),
        async (text, kind) => {
          const before = await counts();
          let answer: Answer;
          if (kind === "multipart") {
            const form = new FormData();
            form.set("file", new Blob([text], { type: "text/csv" }), "results.csv");
            const request = new Request(UPLOAD_URL, {
              method: "POST",
              headers: { authorization: `Bearer ${keys.writer}` },
              body: form,
            });
            answer = await readAnswer(
              await handleCsvUploadRequest(t.db, request),
              `multipart ${text}`,
            );
          } else {
            answer = await post(UPLOAD_URL, handleCsvUploadRequest, text, kind);
          }
          const after = await counts();
          expectAccounted(answer, null, before, after);
          expectPrototypesClean();
        },
      ),
      fuzzOptions(150),
    );
  }, 240_000);
});
