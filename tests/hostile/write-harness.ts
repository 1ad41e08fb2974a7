import { beforeAll, expect } from "vitest";
import type { Db } from "@/db/client";
import { apiKeysFor } from "../support/api-keys";
import { readAnswer, rowCounts, tableNames, type Answer } from "./support";

/*
 * The harness of the hostile-input tests of the writing routes: keys, a POST through a
 * route's handler, and the check that every item sent is accounted for exactly once.
 */

export const EVENTS_URL = "http://closeline.test/api/v1/events";
export const UPLOAD_URL = "http://closeline.test/api/v1/reconciliation-results/upload";

/** Tables a refused item may touch: its own row, and the exception (with audit) it raises. */
const WRITTEN_ON_REJECTION = new Set(["rejected_events", "exceptions", "audit_log"]);

export interface IngestBody {
  accepted: number;
  duplicates: number;
  rejected: { index: number; id: string | null; errors: string[] }[];
}

/** The harness on a test file's database; its keys and table list exist once hooks ran. */
export function writeHarness(file: { readonly db: Db }) {
  const keys = apiKeysFor(file, { writer: ["ingest"], reader: ["read"] });
  let tables: string[] = [];
  beforeAll(async () => {
    tables = await tableNames(file.db);
  });
  /** The row count of every table, to compare before and after. */
  const counts = () => rowCounts(file.db, tables);
  async function post(
    url: string,
    handler: (db: Db, request: Request) => Promise<Response>,
    body: BodyInit,
    contentType: string | null,
    key: string = keys.writer,
  ): Promise<Answer> {
    const headers = new Headers({ authorization: `Bearer ${key}` });
    if (contentType !== null) headers.set("content-type", contentType);
    const request = new Request(url, { method: "POST", headers, body });
    const shown = typeof body === "string" ? body : `<${body.constructor.name}>`;
    return readAnswer(await handler(file.db, request), `POST ${url} [${contentType}] ${shown}`);
  }

  /**
   * Every item answered exactly once; accepted ones are new events, refused ones new rows of
   * rejected_events; when nothing was accepted, no telemetry table moved. A 4xx stores no
   * event and keeps at most the unreadable body.
   */
  function expectAccounted(
    answer: Answer,
    items: number | null,
    before: Record<string, number>,
    after: Record<string, number>,
  ) {
    const delta = (table: string) => after[table]! - before[table]!;
    if (answer.status !== 200) {
      expect(delta("events")).toBe(0);
      expect(delta("rejected_events")).toBeGreaterThanOrEqual(0);
      expect(delta("rejected_events")).toBeLessThanOrEqual(1);
      return;
    }
    const body = answer.body as IngestBody;
    if (items !== null) {
      expect(body.accepted + body.duplicates + body.rejected.length).toBe(items);
    }
    expect(new Set(body.rejected.map((r) => r.index)).size).toBe(body.rejected.length);
    for (const r of body.rejected) expect(r.errors.length).toBeGreaterThan(0);
    expect(delta("events")).toBe(body.accepted);
    expect(delta("rejected_events")).toBe(body.rejected.length);
    if (body.accepted === 0) {
      for (const table of tables) {
        if (!WRITTEN_ON_REJECTION.has(table)) expect(delta(table), table).toBe(0);
      }
    }
  }
  return { keys, counts, post, expectAccounted };
}
