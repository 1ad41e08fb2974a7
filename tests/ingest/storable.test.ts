import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH, unstorableReasons } from "@/lib/contract/storable";

/*
 * unstorableReasons first asks whether a value is storable at all, without building a path
 * for every key, and walks it for its reasons only when it is not. The reasons must be those
 * the one walk gave: `reference` below is that walk, kept as the oracle.
 */

function reference(value: unknown, path: string[] = []): string[] {
  const at = (p: string[]) => p.join(".") || "(event)";
  const storable = (text: string) => !text.includes("\u0000") && text.isWellFormed();
  if (typeof value === "string") {
    return storable(value)
      ? []
      : [`${at(path)}: contains U+0000 or an unpaired surrogate, which cannot be stored`];
  }
  if (typeof value === "number" && !Number.isFinite(value)) {
    return [`${at(path)}: is a number beyond ±1.8e308, which cannot be stored`];
  }
  if (typeof value !== "object" || value === null) return [];
  if (path.length >= MAX_JSON_DEPTH)
    return [`${at(path)}: nests deeper than ${MAX_JSON_DEPTH} levels`];
  const reasons: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    if (!storable(key)) {
      reasons.push(
        `${at(path)}: has a key with U+0000 or an unpaired surrogate, which cannot be stored`,
      );
    }
    if (key === "__proto__") {
      reasons.push(`${at(path)}: has a key named "__proto__", which Closeline does not accept`);
    }
    reasons.push(...reference(child, [...path, key]));
    if (reasons.length >= 10) break;
  }
  return reasons;
}

/** Text that is sometimes unstorable: U+0000, a lone surrogate, "__proto__" as a key. */
const text = fc.oneof(
  fc.string(),
  fc.constantFrom("a\u0000b", "\ud800", "x\udc00y", "__proto__", "ok", ""),
);

/** JSON-like values with an unstorable part now and then, keys included (own, even "__proto__"). */
const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    text,
    fc.constantFrom<unknown>(0, -1.5, 1e308, Infinity, -Infinity, NaN, null, true),
    fc.array(tie("value"), { maxLength: 4 }),
    fc
      .array(fc.tuple(text, tie("value")), { maxLength: 4 })
      .map((entries) => JSON.parse(JSON.stringify(Object.fromEntries(entries))) as unknown)
      .chain((copy) =>
        fc.tuple(fc.constant(copy), fc.array(fc.tuple(text, tie("value")), { maxLength: 2 })),
      )
      .map(([copy, extra]) => {
        const target = (typeof copy === "object" && copy !== null ? copy : {}) as object;
        for (const [key, child] of extra)
          Object.defineProperty(target, key, { value: child, enumerable: true, writable: true });
        return target;
      }),
  ),
}));

function nested(depth: number, leaf: unknown): unknown {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { k: v };
  return v;
}

describe("unstorableReasons", () => {
  it("gives the reasons the one walk gave, for any JSON-like value", () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(unstorableReasons(v)).toEqual(reference(v));
      }),
      { numRuns: 2_000 },
    );
  });

  it("finds an unstorable part however deep, up to the depth limit, and the limit itself", () => {
    for (const depth of [0, 1, 5, MAX_JSON_DEPTH - 1, MAX_JSON_DEPTH, MAX_JSON_DEPTH + 3]) {
      for (const leaf of ["a\u0000", "\ud800", Infinity, {}, [], "fine", 1]) {
        const v = nested(depth, leaf);
        expect(unstorableReasons(v)).toEqual(reference(v));
      }
    }
    expect(unstorableReasons(nested(MAX_JSON_DEPTH, "fine"))).toEqual([]);
    expect(unstorableReasons(nested(MAX_JSON_DEPTH + 1, "fine"))).not.toEqual([]);
  });
});
