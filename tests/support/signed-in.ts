import { randomUUID } from "node:crypto";
import { beforeAll, vi } from "vitest";
import type { Db } from "@/db/client";
import type { Role } from "@/db/schema";
import { SYSTEM_ACTOR } from "@/lib/audit";
import { createUser } from "@/lib/auth/users";

/*
 * A signed-in user as a route sees one in these tests. Outside Next.js there is no session
 * cookie, so a test file mocks next-auth and the app's database with the factories here
 * (vi.mock is hoisted above the imports, hence the import inside the factory), then signs in
 * with `as(role)`:
 *
 *   vi.mock("next-auth", async () => (await import("../support/signed-in")).withSession());
 *   vi.mock("@/db", async () => (await import("../support/signed-in")).withDb(() => t.db));
 */

let signedIn: { id: string; sessionVersion: number } | null = null;

/** next-auth with every export as it is, but the session of whoever `signIn` named. */
export async function withSession(): Promise<Record<string, unknown>> {
  return {
    ...(await vi.importActual<Record<string, unknown>>("next-auth")),
    getServerSession: async () => (signedIn ? { user: signedIn } : null),
  };
}

/** The app's database module answering with the test's own database. */
export async function withDb(db: () => Db): Promise<Record<string, unknown>> {
  return { ...(await vi.importActual<Record<string, unknown>>("@/db")), getDb: async () => db() };
}

/** Signs `userId` in (a session of version 0), or signs out with null. */
export function signIn(userId: string | null): void {
  signedIn = userId ? { id: userId, sessionVersion: 0 } : null;
}

export const ALL_ROLES = ["executive", "operations", "finance", "admin"] as const;

/**
 * One user of each role, named "The <role>" with a unique address, made in a `beforeAll`
 * registered here; `as(role)` signs that user in, `as(null)` signs out.
 */
export function usersByRole(file: { readonly db: Db }) {
  const users: Partial<Record<Role, { id: string; email: string }>> = {};
  beforeAll(async () => {
    for (const role of ALL_ROLES) {
      const email = `${role}-${randomUUID().slice(0, 8)}@example.test`;
      const user = await createUser(file.db, { email, name: `The ${role}`, role }, SYSTEM_ACTOR);
      users[role] = { id: user.id, email };
    }
  });
  const as = (role: Role | null) => signIn(role ? users[role]!.id : null);
  return { users, as };
}
