import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ADVISORY_LOCKS } from "@/db/advisory-locks";

/*
 * Two kinds of work on one advisory key exclude each other for no reason and can deadlock: a
 * concurrent index build held the detection lock's key while it waited for old transactions,
 * one of them a detection pass waiting for that key. So every key is listed once, in
 * db/advisory-locks.ts, and nothing else writes one.
 */

const ROOT = process.cwd();

function sourceFiles(dir: string, ending: RegExp): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(relative, ending);
    return ending.test(entry.name) ? [relative] : [];
  });
}

describe("advisory lock keys", () => {
  it("gives every kind of work a key of its own", () => {
    const keys = Object.values(ADVISORY_LOCKS);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("has no lock key written outside the list", () => {
    const stray = ["db", "lib", "app", "scripts"]
      .flatMap((dir) => sourceFiles(dir, /\.tsx?$/))
      .filter((file) => file !== path.join("db", "advisory-locks.ts"))
      .filter((file) => /\b7_?340_?\d{3}\b/.test(fs.readFileSync(path.join(ROOT, file), "utf8")));
    expect(stray).toEqual([]);
  });

  it("names in db/sql only the keys listed for the rollup triggers", () => {
    // The one-key form and the first key of the two-key form, exclusive or shared, tried or waited for.
    const taken = sourceFiles(path.join("db", "sql"), /\.sql$/).flatMap((file) =>
      [
        ...fs
          .readFileSync(path.join(ROOT, file), "utf8")
          .matchAll(/advisory_xact_lock(?:_shared)?\((\d+)\s*[,)]/g),
      ].map((m) => Number(m[1])),
    );
    expect(taken).toContain(ADVISORY_LOCKS.rollups);
    const allowed = [
      ADVISORY_LOCKS.rollups,
      ADVISORY_LOCKS.rollupShards,
      ADVISORY_LOCKS.summaryKeys,
    ];
    expect([...new Set(taken)].filter((key) => !allowed.includes(key as never))).toEqual([]);
  });
});
