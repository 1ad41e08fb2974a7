import { vi } from "vitest";

/**
 * next-auth as a route sees it in these tests: every export as it is, but no session. Outside
 * Next.js there is no request cookie to read, so a route that also admits a signed-in user
 * answers as for a visitor without one. A test file mocks with it (vi.mock is hoisted above
 * the imports, hence the import inside the factory):
 *
 *   vi.mock("next-auth", async () => (await import("../support/no-session")).withoutSession());
 */
export async function withoutSession(): Promise<Record<string, unknown>> {
  return {
    ...(await vi.importActual<Record<string, unknown>>("next-auth")),
    getServerSession: async () => null,
  };
}
