import fs from "node:fs";
import path from "node:path";
import { ESLint } from "eslint";
import { beforeAll, describe, expect, it } from "vitest";

/*
 * The lint rules that hold the layers (eslint.config.mjs): each one fires on a violating
 * import at a realistic path and stays quiet on the allowed one next to it.
 */

const ROOT = path.resolve(__dirname, "../..");
let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: ROOT });
});

/** The messages of one rule for `code` as if it were the file at `filePath`. */
async function lint(code: string, filePath: string, ruleId: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, filePath) });
  // The paths are of real files: the cycle check reads the linted file's neighbours on disk.
  // A file ESLint ignores reports nothing: that must not pass for "quiet".
  expect(result!.messages.filter((m) => m.ruleId === null)).toEqual([]);
  return result!.messages.filter((m) => m.ruleId === ruleId).map((m) => m.message);
}

const RESTRICTED = "no-restricted-imports";
/** ESLint resolves each import on disk (and follows them for cycles): slow on a busy machine. */
const SLOW = { timeout: 120_000 };

describe("SQL lives in db/", SLOW, () => {
  it("refuses the query builder and the drivers in lib/", async () => {
    for (const specifier of [
      "drizzle-orm",
      "drizzle-orm/pg-core",
      "postgres",
      "@electric-sql/pglite",
    ]) {
      const messages = await lint(
        `import * as m from "${specifier}";\nexport const x = m;\n`,
        "lib/kpi/targets.ts",
        RESTRICTED,
      );
      expect(messages, specifier).toEqual([expect.stringMatching(/SQL lives in db\//)]);
    }
  });

  it("allows them in db/queries and in the tests", async () => {
    const code = `import { sql } from "drizzle-orm";\nexport const one = sql\`select 1\`;\n`;
    expect(await lint(code, "db/queries/entities.ts", RESTRICTED)).toEqual([]);
    expect(await lint(code, "tests/kpi/new-figure.test.ts", RESTRICTED)).toEqual([]);
  });

  it("lets lib/ call db/queries", async () => {
    const code = `import { listEntities } from "@/db/queries/entities";\nexport const f = listEntities;\n`;
    expect(await lint(code, "lib/kpi/targets.ts", RESTRICTED)).toEqual([]);
  });
});

describe("db/ imports nothing from lib/ but the environment and the errors", SLOW, () => {
  it("refuses a lib/ module, by alias or by relative path", async () => {
    for (const specifier of ["@/lib/format", "@/lib/kpi/targets", "../../lib/format"]) {
      const messages = await lint(
        `import * as m from "${specifier}";\nexport const x = m;\n`,
        "db/queries/entities.ts",
        RESTRICTED,
      );
      expect(messages, specifier).toEqual([
        expect.stringMatching(/db\/ imports nothing from lib\//),
      ]);
    }
  });

  it("allows lib/env and lib/errors", async () => {
    const code = `import { env } from "@/lib/env";\nimport { NotFound } from "@/lib/errors";\nexport const x = [env, NotFound];\n`;
    expect(await lint(code, "db/queries/entities.ts", RESTRICTED)).toEqual([]);
  });
});

describe("pages and components go through lib/", SLOW, () => {
  it("refuses db/queries in a page and in a component", async () => {
    const code = `import { listEntities } from "@/db/queries/entities";\nexport const f = listEntities;\n`;
    for (const file of ["app/(app)/close/page.tsx", "components/close/checklist.tsx"]) {
      const messages = await lint(code, file, RESTRICTED);
      expect(messages, file).toHaveLength(1);
    }
  });

  it("allows a page to call a lib/ loader", async () => {
    const code = `import { loadEntities } from "@/lib/entities";\nexport const f = loadEntities;\n`;
    expect(await lint(code, "app/(app)/close/page.tsx", RESTRICTED)).toEqual([]);
  });
});

describe("no import cycles", SLOW, () => {
  const formatFile = "lib/format.ts";

  it("fires when a module imports one that imports it", async () => {
    // The rule's shortcut (strongly connected components, cached from the files on disk)
    // cannot see an import that exists only in the linted text; without the shortcut it
    // follows the imports themselves, which is what the configured rule does on real files.
    const withoutShortcut = new ESLint({
      cwd: ROOT,
      overrideConfig: {
        files: ["lib/**/*.ts"],
        rules: { "import/no-cycle": ["error", { ignoreExternal: true, disableScc: true }] },
      },
    });
    // lib/humanise.ts imports lib/format.ts; format importing humanise back closes a cycle.
    const code = `import { flatten } from "@/lib/humanise";\nexport const f = flatten;\n`;
    const [result] = await withoutShortcut.lintText(code, {
      filePath: path.join(ROOT, formatFile),
    });
    expect(result!.messages.map((m) => m.ruleId)).toEqual(["import/no-cycle"]);
  });

  it("stays quiet on the module as it is", async () => {
    const code = fs.readFileSync(path.join(ROOT, formatFile), "utf8");
    expect(await lint(code, formatFile, "import/no-cycle")).toEqual([]);
  });
});
