import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import fc from "fast-check";
import { expect } from "vitest";
import type { Db } from "@/db/client";
import { queryRows } from "@/db/rows";

/*
 * Shared by the hostile-input tests: the seed and run count every property uses,
 * the values an attacker or a broken client sends, and the checks every answer must pass.
 *
 * A failing property prints its seed and the path to the smallest failing input; run the
 * file again with CLOSELINE_FUZZ_SEED=<seed> to replay it. CLOSELINE_FUZZ_RUNS scales every
 * property (the defaults keep each file near a minute on two cores).
 */

export const FUZZ_SEED = Number(process.env.CLOSELINE_FUZZ_SEED ?? 20_261_101);
const RUN_SCALE = Number(process.env.CLOSELINE_FUZZ_RUNS ?? 1);

/** Options for fc.assert: the fixed seed and `runs` scaled by CLOSELINE_FUZZ_RUNS. */
export function fuzzOptions(runs: number): fc.Parameters<unknown> {
  return { seed: FUZZ_SEED, numRuns: Math.max(1, Math.round(runs * RUN_SCALE)) };
}

// ---------------------------------------------------------------------------------------
// Values JSON.stringify cannot write: deep nesting (it recurses and overflows the stack),
// duplicate keys, number literals past double precision. They travel as RawJson and are
// spliced into the text after stringifying.

export class RawJson {
  constructor(
    readonly text: string,
    readonly label: string,
  ) {}
  toString() {
    return `RawJson(${this.label})`;
  }
}

export function toJsonText(value: unknown): string {
  const raws: RawJson[] = [];
  const nonce = randomUUID();
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (!(v instanceof RawJson)) return v;
    raws.push(v);
    return `@@raw-${nonce}-${raws.length - 1}@@`;
  });
  return text.replace(
    new RegExp(`"@@raw-${nonce}-(\\d+)@@"`, "g"),
    (_m, i: string) => raws[Number(i)]!.text,
  );
}

/** An object with `key` as an own, enumerable property, even for "__proto__". */
export function withOwnKey(
  target: Record<string, unknown>,
  key: string,
  value: unknown,
): Record<string, unknown> {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return target;
}

export const deepArray = (levels: number) =>
  new RawJson("[".repeat(levels) + "]".repeat(levels), `[]×${levels}`);
export const deepObject = (levels: number) =>
  new RawJson('{"a":'.repeat(levels) + "1" + "}".repeat(levels), `{a:}×${levels}`);

export const ONE_MB = "x".repeat(1024 * 1024);

/** Text a database, a parser or a template might treat as more than text. */
export const SQL_INJECTIONS = [
  "' OR 1=1 --",
  "' OR '1'='1",
  "'; drop table events; --",
  '"; drop table exceptions; --',
  "1; select pg_sleep(5)",
  "' union select null, null, null --",
  "%",
  "_",
  "%%",
  "\\",
  "\\'",
  "\\\\'",
  "'",
  "''",
  "$1",
  "$$; drop table events; $$",
  "E'\\x27'",
  "/*",
  "*/",
  "--",
  ";",
  "\u2018 OR 1=1 --", // left single quotation mark
  "\u2019; drop table events; --", // right single quotation mark
  "\u201c OR \u201d", // curly double quotes
  "\uff07 OR 1=1 --", // fullwidth apostrophe
  "\u02bc OR 1=1 --", // modifier letter apostrophe
  "ACME-US' --",
  "ACME%",
  "ACME_US",
] as const;

/** Strings that break naive code: control characters, unpaired surrogates, markup, RTL. */
export const NASTY_STRINGS = [
  "",
  " ",
  "\t\n\r",
  "\u0000",
  "a\u0000b",
  "\ud800",
  "\udfff",
  "x\ud83d",
  "\u202eevil",
  "\ufeff",
  "\u200b",
  "💸".repeat(50),
  "<img src=x onerror=alert(1)>",
  "javascript:alert(1)",
  "${7*7}",
  "{{7*7}}",
  "../../etc/passwd",
  "NaN",
  "Infinity",
  "-Infinity",
  "1e309",
  "-0",
  "0x1F",
  "1_000",
  " 42",
  "42 ",
  "\u0664\u0662", // Arabic-Indic digits 42
  "null",
  "true",
  "undefined",
  "__proto__",
  "constructor",
  "x".repeat(200),
  "x".repeat(201),
  "x".repeat(501),
  "x".repeat(4001),
] as const;

export const BOUNDARY_TIMESTAMPS = [
  "0000-01-01T00:00:00Z",
  "0001-01-01T00:00:00Z",
  "0001-01-01T00:00:00+01:00",
  "9999-12-31T23:59:59Z",
  "9999-12-31T23:59:59-14:00",
  "2024-02-29T00:00:00Z",
  "2026-02-29T00:00:00Z",
  "2026-01-01T00:00:00+23:59",
  "2026-01-01T00:00:00-23:59",
  "2026-01-01T00:00:00+14:00",
  "2026-01-01T00:00:00+15:59",
  "2026-01-01T00:00:00.123456789Z",
  "2026-01-01T23:59:60Z",
  "2026-01-01",
  "2026-01-01T00:00:00",
  "2026-01-01 00:00:00Z",
  "1970-01-01T00:00:00Z",
  "1969-12-31T23:59:59.999Z",
] as const;

export const HUGE_NUMBERS = [
  1e308,
  -1e308,
  5e-324,
  -0,
  0.5,
  2 ** 53,
  2 ** 53 + 2,
  2 ** 63,
  -(2 ** 63),
  Number.MAX_SAFE_INTEGER,
  Number.MIN_SAFE_INTEGER,
] as const;

/** Number literals only JSON text can carry. */
export const RAW_NUMBERS = [
  "1e400",
  "-1e400",
  "9223372036854775808",
  "-9223372036854775809",
  "18446744073709551616",
  "-0",
  "1.0",
  "1E2",
  "0.0000001",
  "123456789012345678901234567890",
].map((literal) => new RawJson(literal, literal));

export const PROTO_OBJECTS = [
  new RawJson('{"__proto__":{"polluted":"yes"}}', "__proto__"),
  new RawJson('{"constructor":{"prototype":{"polluted":"yes"}}}', "constructor.prototype"),
  new RawJson('{"prototype":{"polluted":"yes"}}', "prototype"),
  new RawJson('{"a":1,"a":"dup","a":{"b":2}}', "duplicate keys"),
];

/** Any value a field could be sent instead of the right one. */
/** Text for a query value or a command word: injections, odd strings, huge and binary ones. */
export const hostileText = fc.oneof(
  fc.constantFrom(...SQL_INJECTIONS, ...NASTY_STRINGS, ...BOUNDARY_TIMESTAMPS),
  fc.constantFrom(...HUGE_NUMBERS).map(String),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 300 }),
  fc.constant("x".repeat(100_000)),
);

export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(null, true, false, 0, 1, -1, [], {}, [1, "a"], { a: 1 }),
  fc.constantFrom<unknown>(...NASTY_STRINGS, ...SQL_INJECTIONS, ...BOUNDARY_TIMESTAMPS),
  fc.constantFrom<unknown>(...HUGE_NUMBERS, ...RAW_NUMBERS, ...PROTO_OBJECTS),
  fc.constantFrom<unknown>(ONE_MB, deepArray(10_000), deepObject(10_000), deepArray(65)),
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.double(),
  fc.jsonValue({ maxDepth: 3 }),
);

// ---------------------------------------------------------------------------------------
// Checks every answer must pass.

export interface Answer {
  status: number;
  headers: Headers;
  /** The parsed JSON body, or the text of a CSV download. */
  body: unknown;
}

/**
 * Reads a handler's response to the end. A 5xx, a body that is not the expected kind or an
 * error answer without a message fails the test with the request that caused it.
 */
export async function readAnswer(response: Response, request: string): Promise<Answer> {
  const type = response.headers.get("content-type") ?? "";
  const text = await response.text();
  const context = `${response.status} for ${request.slice(0, 300)}: ${text.slice(0, 300)}`;
  expect(response.status, context).toBeLessThan(500);
  if (type.startsWith("text/csv")) {
    expect(response.status, context).toBe(200);
    return { status: response.status, headers: response.headers, body: text };
  }
  expect(type, context).toMatch(/^application\/json/);
  const body = JSON.parse(text) as unknown;
  if (response.status >= 400) {
    const error = (body as { error?: { code?: unknown; message?: unknown } }).error;
    expect(typeof error?.code, context).toBe("string");
    expect(typeof error?.message, context).toBe("string");
    expect((error?.message as string).length, context).toBeGreaterThan(0);
  } else {
    expect(response.status, context).toBe(200);
  }
  return { status: response.status, headers: response.headers, body };
}

/** Object.prototype and friends exactly as a fresh realm has them. */
const PRISTINE = {
  object: Object.getOwnPropertyNames(Object.prototype).sort(),
  array: Object.getOwnPropertyNames(Array.prototype).sort(),
  func: Object.getOwnPropertyNames(Function.prototype).sort(),
};

export function expectPrototypesClean() {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PRISTINE.object);
  expect(Object.getOwnPropertyNames(Array.prototype).sort()).toEqual(PRISTINE.array);
  expect(Object.getOwnPropertyNames(Function.prototype).sort()).toEqual(PRISTINE.func);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}

// ---------------------------------------------------------------------------------------
// What the database holds, to prove a request changed nothing it had no right to.

export async function tableNames(db: Db): Promise<string[]> {
  const rows = await queryRows<{ name: string }>(
    db,
    sql`select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p') order by 1`,
  );
  return rows.map((r) => r.name);
}

/** Rows per table. */
export async function rowCounts(db: Db, tables: string[]): Promise<Record<string, number>> {
  const columns = tables.map((t) => sql.raw(`(select count(*) from "${t}") as "${t}"`));
  const [row] = await queryRows<Record<string, string | number>>(
    db,
    sql`select ${sql.join(columns, sql`, `)}`,
  );
  return Object.fromEntries(tables.map((t) => [t, Number(row![t])]));
}

/**
 * A digest of every row of every table, so "nothing changed" covers updates too. API keys
 * are counted, not digested: using a key stamps its last_used_at, by design.
 */
export async function fingerprint(db: Db, tables: string[]): Promise<Record<string, string>> {
  const columns = tables.map((t) =>
    t === "api_keys"
      ? sql.raw(`(select count(*)::text from "${t}") as "${t}"`)
      : sql.raw(
          `(select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) from "${t}" x) as "${t}"`,
        ),
  );
  const [row] = await queryRows<Record<string, string>>(
    db,
    sql`select ${sql.join(columns, sql`, `)}`,
  );
  return row!;
}

export function describeValue(value: unknown): string {
  if (value instanceof RawJson) return value.toString();
  if (typeof value === "string" && value.length > 60) {
    return `string(${value.length}): ${JSON.stringify(value.slice(0, 20))}…`;
  }
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
