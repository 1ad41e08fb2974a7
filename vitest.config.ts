import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "@": path.resolve(__dirname),
      // Outside Next.js the marker package throws; in tests server modules run on the server anyway.
      "server-only": path.resolve(__dirname, "tests/support/empty-module.ts"),
    },
  },
  test: {
    include: ["tests/**/*.test.ts"],
    // The fault tests are about real PostgreSQL (issue 6); the embedded engine runs the rest.
    // Those that kill the app or restart PostgreSQL run alone (vitest.faults.config.ts).
    exclude:
      process.env.CLOSELINE_TEST_DB === "pglite"
        ? ["tests/faults/**", "**/node_modules/**"]
        : ["tests/faults/process/**", "**/node_modules/**"],
    environment: "node",
    // Every answer of a /api/v1 handler a test receives is checked against the OpenAPI document.
    setupFiles: ["tests/support/documented-answers.ts"],
    // Integration tests each create a database; two workers fit this machine's two cores.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
