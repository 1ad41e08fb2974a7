import "server-only";
import { getServerSession } from "next-auth";
import { forbidden, redirect } from "next/navigation";
import { cache } from "react";
import { getDb } from "@/db";
import type { Db } from "@/db/client";
import { findUserProfile } from "@/db/queries/users";
import type { Role } from "@/db/schema";
import { authOptions } from "./options";
import type { Actor } from "./actor";
import { authenticateBearer, bearerToken, type AuthenticatedKey } from "./api-keys";
import { can, type Permission } from "./permissions";
import { accessRule } from "./route-access";
import { Forbidden, Unauthenticated } from "@/lib/errors";
import { noteApiCaller } from "@/lib/server/read-routing";

export interface CurrentUser {
  id: string;
  email: string;
  name: string | null;
  role: Role;
}

/** The signed-in user with their preferences, as the pages of this request see them. */
export interface SessionUser extends CurrentUser {
  /** IANA zone the user reads dates in (lib/auth/time-zone.ts). */
  timeZone: string;
}

/**
 * The signed-in user of this request, re-read from the database: a deactivated user, or one
 * whose session_version was bumped (role change, deactivation), has no session any more
 * even though their cookie is still valid.
 */
export const getCurrentUser = cache(async (): Promise<SessionUser | null> => {
  const session = await getServerSession(authOptions);
  if (!session?.user?.id) return null;
  return loadSessionUser(await getDb(), session.user.id, session.user.sessionVersion);
});

export async function loadSessionUser(
  db: Db,
  id: string,
  sessionVersion: number | undefined,
): Promise<SessionUser | null> {
  const user = await findUserProfile(db, id);
  if (!user || !user.active || user.sessionVersion !== sessionVersion) return null;
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    timeZone: user.timeZone,
  };
}

/**
 * For pages: sends a visitor without a session to sign-in and answers 403 to a user whose
 * role lacks the route's permission. Every page calls it with its own route.
 */
export async function guardPage(route: string): Promise<SessionUser> {
  const rule = accessRule(route);
  const user = await getCurrentUser();
  if (rule === "public") return user as SessionUser;
  if (!user) {
    // Back to the page asked for, query included (the proxy passes it), not the route pattern.
    const { headers } = await import("next/headers");
    const returnTo = (await headers()).get("x-closeline-return-to") ?? route;
    redirect(`/sign-in?callbackUrl=${encodeURIComponent(returnTo)}`);
  }
  if (typeof rule === "object" && "permission" in rule && !can(user.role, rule.permission))
    forbidden();
  return user;
}

/** For server actions: the signed-in user if their role has the permission, else an error. */
export async function requirePermission(permission: Permission): Promise<CurrentUser> {
  const user = await getCurrentUser();
  if (!user) throw new Unauthenticated("Your session has ended; sign in again");
  if (!can(user.role, permission)) throw new Forbidden();
  return user;
}

export type Principal =
  | {
      kind: "user";
      user: CurrentUser;
      /** The personal token the user acts through; absent for a session. */
      viaToken?: string;
    }
  | { kind: "api_key"; key: AuthenticatedKey };

/** The actor lib/ records for a principal: the person (and their token), or the service key. */
export function actorOf(principal: Principal): Actor {
  return principal.kind === "api_key"
    ? { serviceKey: { id: principal.key.id, name: principal.key.name } }
    : { ...principal.user, ...(principal.viaToken ? { viaToken: principal.viaToken } : {}) };
}

/**
 * For API routes: checks the route's rule against a bearer credential or the session cookie.
 * A service key needs the rule's scope; a personal token, like a session, needs its user's
 * role to have the rule's permission. No credentials → 401; credentials without the right →
 * 403, naming what is missing.
 */
export async function guardApi(db: Db, request: Request, route: string): Promise<Principal> {
  const principal = await authorizeApi(db, request, route);
  // A write's caller reads only replicas that have replayed it (lib/server/read-routing.ts).
  noteApiCaller(db, request, principal);
  return principal;
}

async function authorizeApi(db: Db, request: Request, route: string): Promise<Principal> {
  const rule = accessRule(route);
  if (typeof rule !== "object")
    throw new Error(`guardApi used on ${route}, whose rule is ${String(rule)}`);
  const permission = "permission" in rule ? rule.permission : rule.orPermission;
  if (bearerToken(request) || !permission) {
    const credential = await authenticateBearer(db, request);
    if (credential.kind === "service") {
      if (!("apiKey" in rule)) {
        throw new Forbidden(
          `This needs a person: a service key cannot ${"permission" in rule ? describePermission(rule.permission) : "call it"}; use a personal token`,
        );
      }
      if (!credential.key.scopes.includes(rule.apiKey))
        throw new Forbidden(`The API key lacks the '${rule.apiKey}' scope`);
      return { kind: "api_key", key: credential.key };
    }
    if (!permission) {
      throw new Forbidden(
        `This route takes a service key with the '${"apiKey" in rule ? rule.apiKey : ""}' scope, not a personal token`,
      );
    }
    if (!can(credential.user.role, permission)) {
      throw new Forbidden(
        `The token's user (${credential.user.role}) lacks the '${permission}' permission`,
      );
    }
    return { kind: "user", user: credential.user, viaToken: credential.token.name };
  }
  const user = await getCurrentUser();
  if (!user) throw new Unauthenticated();
  if (!can(user.role, permission))
    throw new Forbidden(`Your role (${user.role}) lacks the '${permission}' permission`);
  return { kind: "user", user };
}

function describePermission(permission: Permission): string {
  return permission === "corrections:approve"
    ? "approve or reject a correction"
    : `act with the '${permission}' permission`;
}
