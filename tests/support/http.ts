import { vi } from "vitest";

/*
 * Route handlers run here as plain functions, outside Next.js. There is no request to read a
 * session cookie from, so the session lookup answers as for a visitor without one, and a
 * handler's caller is whoever its bearer credential names. vitest hoists `vi.mock` above the
 * imports, so a test file imports this inside the factory:
 *   vi.mock("next-auth", async () => (await import("../support/http")).nextAuthWithoutSession());
 */
export async function nextAuthWithoutSession() {
  return {
    ...(await vi.importActual<Record<string, unknown>>("next-auth")),
    getServerSession: async () => null,
  };
}
