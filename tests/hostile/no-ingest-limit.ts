import { vi } from "vitest";
import type * as EnvModule from "@/lib/env";

/**
 * The environment with the per-key ingest limit out of the way: the hostile tests send
 * hundreds of requests from one key in a few seconds, and the limiter is not under test here
 * (tests/ingest/rate-limit.test.ts is), so it must not turn answers into 429s. A test file
 * mocks with it (vi.mock is hoisted above the imports, hence the import inside the factory):
 *
 *   vi.mock("@/lib/env", async () => (await import("./no-ingest-limit")).withoutIngestLimit());
 */
export async function withoutIngestLimit(): Promise<typeof EnvModule> {
  const actual = await vi.importActual<typeof EnvModule>("@/lib/env");
  return {
    ...actual,
    env: {
      ...actual.env,
      CLOSELINE_INGEST_RATE_PER_KEY: 1_000_000,
      CLOSELINE_INGEST_BURST_PER_KEY: 1_000_000,
    },
  };
}
