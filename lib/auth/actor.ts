import type { Role } from "@/db/schema";
import type { AuditActor } from "@/lib/audit";
import { can, type Permission } from "./permissions";

/*
 * Who acts: a person (signed in, or through one of their personal tokens) or a service key.
 * A person acts with their role; a token changes nothing but the audit label, so segregation
 * of duties counts the person behind it. A service key acts with its scopes, and never on
 * what needs a person (deciding a correction).
 */

export interface PersonActor {
  id: string;
  email: string;
  role: Role;
  /** The name of the personal token the person acts through, when not signed in. */
  viaToken?: string;
}

export interface ServiceActor {
  serviceKey: { id: string; name: string };
}

export type Actor = PersonActor | ServiceActor;

/** What a service key with the `work` scope may do: everything a worker does but decide. */
const SERVICE_WORK: readonly Permission[] = [
  "exceptions:read",
  "exceptions:work",
  "corrections:propose",
];

export function isService(actor: Actor): actor is ServiceActor {
  return "serviceKey" in actor;
}

export function actorCan(actor: Actor, permission: Permission): boolean {
  return isService(actor) ? SERVICE_WORK.includes(permission) : can(actor.role, permission);
}

/** The person behind the action, for columns that name a user (owner, author, proposer). */
export function actorUserId(actor: Actor): string | null {
  return isService(actor) ? null : actor.id;
}

export function auditActorOf(actor: Actor): AuditActor {
  if (isService(actor)) {
    return { type: "api_key", id: actor.serviceKey.id, label: actor.serviceKey.name };
  }
  return {
    type: "user",
    id: actor.id,
    label: actor.viaToken ? `${actor.email} via token ${actor.viaToken}` : actor.email,
  };
}

/** How an error names the one acting, e.g. "the service key nightly-retry". */
export function actorName(actor: Actor): string {
  return isService(actor) ? `the service key ${actor.serviceKey.name}` : actor.email;
}
