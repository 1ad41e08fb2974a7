import { auditLog } from "@/db/schema";
import type { Db } from "@/db/client";
import { trustedProxies } from "@/lib/env";
import { NotFound } from "@/lib/errors";
import { clientAddress } from "@/lib/http/client-address";

export type ActorType = "user" | "api_key" | "system" | "cli";

export interface AuditActor {
  type: ActorType;
  id: string | null;
  label: string | null;
}

export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
}

/** Who makes a change and from where: what every audited write records. */
export interface AuditContext {
  actor: AuditActor;
  meta?: RequestMeta;
}

export interface AuditEntry {
  actor: AuditActor;
  action: string;
  target?: { type: string; id: string };
  before?: unknown;
  after?: unknown;
  meta?: RequestMeta;
  /**
   * When it happened, for history replayed inside the server (lib/server/demo-ops.ts);
   * nothing a request reaches sets it, so every live entry is stamped by the database.
   */
  at?: Date;
}

export const SYSTEM_ACTOR: AuditActor = { type: "system", id: null, label: "closeline" };
export const CLI_ACTOR: AuditActor = { type: "cli", id: null, label: "command line" };

/**
 * Appends to the audit log. Pass the transaction that makes the change so the entry and the
 * change commit together or not at all.
 */
export async function writeAudit(db: Db, entry: AuditEntry): Promise<void> {
  await db.insert(auditLog).values({
    actorType: entry.actor.type,
    actorId: entry.actor.id,
    actorLabel: entry.actor.label,
    action: entry.action,
    targetType: entry.target?.type ?? null,
    targetId: entry.target?.id ?? null,
    before: entry.before ?? null,
    after: entry.after ?? null,
    ip: normaliseIp(entry.meta?.ip ?? null),
    userAgent: entry.meta?.userAgent?.slice(0, 500) ?? null,
    ...(entry.at ? { at: entry.at } : {}),
  });
}

/**
 * Deactivates one row and audits it as `<target type>.deactivated`, in one transaction.
 * `deactivate` answers the row it changed, or null when no active row has that id (answered
 * as NotFound with `notFound`); `describe` is what the entry records of it.
 */
export async function deactivateAudited<Row>(
  db: Db,
  target: { type: string; id: string },
  context: AuditContext,
  step: {
    deactivate: (tx: Db) => Promise<Row | null>;
    notFound: string;
    describe: (row: Row) => object;
  },
): Promise<void> {
  await db.transaction(async (tx) => {
    const row = await step.deactivate(tx);
    if (!row) throw new NotFound(step.notFound);
    await writeAudit(tx, {
      actor: context.actor,
      action: `${target.type}.deactivated`,
      target,
      before: { ...step.describe(row), active: true },
      after: { active: false },
      meta: context.meta,
    });
  });
}

/** The inet column refuses anything that is not an address; a bad header must not fail the write. */
function normaliseIp(ip: string | null): string | null {
  if (!ip) return null;
  const first = ip
    .split(",")[0]!
    .trim()
    .replace(/^::ffff:/, "");
  return /^[0-9a-fA-F:.]+$/.test(first) && first.length <= 45 ? first : null;
}

export function requestMeta(request: Request): RequestMeta {
  return {
    ip: clientAddress(request.headers, trustedProxies),
    userAgent: request.headers.get("user-agent"),
  };
}
