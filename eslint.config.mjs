import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";
import drizzle from "eslint-plugin-drizzle";

/** The query builder and the drivers: db/ alone speaks SQL. */
const NO_SQL = {
  group: ["drizzle-orm", "drizzle-orm/*", "postgres", "@electric-sql/*"],
  message: "SQL lives in db/: call a function of db/queries/ (through lib/ from app/).",
};
const NO_QUERIES = {
  group: ["@/db/queries", "@/db/queries/*"],
  message: "Pages and components call a load… function in lib/, which calls db/queries.",
};
const NO_DB = {
  group: ["@/db", "@/db/*"],
  message: "UI code must not import the database; go through lib/ or an API route.",
};
const DB_IMPORTS_FROM_LIB = {
  group: ["@/lib/*", "!@/lib/env", "!@/lib/errors", "**/lib/*", "!**/lib/env", "!**/lib/errors"],
  message: "db/ imports nothing from lib/ but lib/env and lib/errors; lib/ calls db/.",
};

/**
 * Code outside the app that builds and inspects databases itself, so it uses the driver and
 * the query builder directly: tests and e2e seed and check rows, the benchmarks load millions
 * of rows, the e2e server creates its database, drizzle-kit reads the schema.
 */
const SQL_OUTSIDE_DB = ["tests/**", "e2e/**", "bench/**", "scripts/**", "drizzle.config.ts"];

const config = [
  ...nextVitals,
  ...nextTs,
  {
    plugins: { drizzle },
    rules: {
      // An UPDATE or DELETE without WHERE rewrites a whole table; the audit log must never be.
      "drizzle/enforce-update-with-where": ["error", { drizzleObjectName: ["db", "tx"] }],
      "drizzle/enforce-delete-with-where": ["error", { drizzleObjectName: ["db", "tx"] }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
    },
  },
  // ── The layers: app → components → lib → db (docs/architecture.md) ─────────────────────
  {
    // SQL lives in db/: nothing else imports the query builder or a driver.
    files: ["**/*.{ts,tsx,mts,mjs}"],
    ignores: ["db/**", ...SQL_OUTSIDE_DB],
    rules: { "no-restricted-imports": ["error", { patterns: [NO_SQL] }] },
  },
  {
    // A page or component asks lib/ for plain data (a load… function), never db/queries.
    files: ["app/**/*.{ts,tsx}", "components/**/*.{ts,tsx}"],
    rules: { "no-restricted-imports": ["error", { patterns: [NO_SQL, NO_QUERIES] }] },
  },
  {
    // UI code that may run in the browser never reaches the database at all.
    files: ["components/**/*.{ts,tsx}", "app/**/client.tsx", "app/**/*-client.tsx"],
    rules: { "no-restricted-imports": ["error", { patterns: [NO_SQL, NO_DB] }] },
  },
  {
    // db/ sits below lib/: it may read the configuration and throw the typed errors, no more.
    files: ["db/**/*.ts"],
    ignores: [
      // The alert tables type their JSON columns with the contract's zod-inferred condition
      // and channel kinds: a type-only import, erased at build, that keeps one definition.
      "db/schema/alerts.ts",
    ],
    rules: { "no-restricted-imports": ["error", { patterns: [DB_IMPORTS_FROM_LIB] }] },
  },
  {
    // A cycle between modules hides which one is the lower layer.
    files: ["app/**/*.{ts,tsx}", "components/**/*.{ts,tsx}", "lib/**/*.ts", "db/**/*.ts"],
    // Packages cannot import our modules back: the check does not read node_modules at all.
    settings: { "import/ignore": ["node_modules"] },
    rules: { "import/no-cycle": ["error", { ignoreExternal: true }] },
  },
  {
    ignores: [
      ".next/**",
      // Per-process build folders (NEXT_DIST_DIR), e.g. the benchmark's .next-bench.
      ".next-*/**",
      "node_modules/**",
      ".data/**",
      "next-env.d.ts",
      "test-results/**",
      "playwright-report/**",
    ],
  },
];
export default config;
