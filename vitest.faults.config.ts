import { defineConfig } from "vitest/config";
import base from "./vitest.config";

/*
 * The process-level fault tests (issue 6): they start production servers, `kill -9` them and
 * restart the PostgreSQL server, which would break any other test using it at that moment.
 * So they run by themselves, one file at a time, as the last stage of scripts/test.sh (after
 * e2e, whose production build they serve).
 */
export default defineConfig({
  resolve: base.resolve,
  test: {
    include: ["tests/faults/process/**/*.test.ts"],
    environment: "node",
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 900_000,
    // A first run without the e2e build builds the app in a hook.
    hookTimeout: 900_000,
  },
});
