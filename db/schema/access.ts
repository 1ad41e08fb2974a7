import { sql } from "drizzle-orm";
import {
  boolean,
  customType,
  index,
  inet,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  uuid,
} from "drizzle-orm/pg-core";
import { tstz, nowOnInsert, uuidId, serialId } from "./columns";

export const ROLES = ["executive", "finance", "operations", "admin"] as const;
export const roleEnum = pgEnum("role", ROLES);
export type Role = (typeof ROLES)[number];

/**
 * What a service key may do: send telemetry, read, or work exceptions (every queue action
 * and proposing corrections, never deciding one: approval needs a person). A personal token
 * has no scopes: it acts with its user's role.
 */
export const API_KEY_SCOPES = ["ingest", "read", "work"] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export const users = pgTable("users", {
  id: uuidId(),
  email: text("email").notNull().unique(),
  name: text("name"),
  role: roleEnum("role").notNull(),
  passwordHash: text("password_hash"),
  active: boolean("active").notNull().default(true),
  /** Bumped to end every session of the user (deactivation, role change, password reset). */
  sessionVersion: integer("session_version").notNull().default(0),
  /** IANA zone every date is shown in for this user (lib/auth/time-zone.ts validates it). */
  timeZone: text("time_zone").notNull().default("UTC"),
  createdAt: nowOnInsert("created_at"),
});

/** A column naming a person: who created, changed, owns or decided something. */
export const userRef = (name: string) => uuid(name).references(() => users.id);

/** Who created a row, when a person did (null: a service key or the system), and when. */
export const creation = () => ({
  createdBy: userRef("created_by"),
  createdAt: nowOnInsert("created_at"),
});

export const apiKeys = pgTable(
  "api_keys",
  {
    id: uuidId(),
    name: text("name").notNull(),
    /** The first characters of the key, shown in lists so a key can be recognised without its secret. */
    prefix: text("prefix").notNull(),
    /** SHA-256 of the whole key: keys are 256-bit random, so a slow hash adds nothing. */
    keyHash: text("key_hash").notNull().unique(),
    scopes: text("scopes").array().notNull(),
    createdBy: userRef("created_by"),
    /** Set on a personal token: the person it acts as, with their role. Null on a service key. */
    userId: userRef("user_id"),
    /** A personal token may end by itself; a service key lasts until revoked. */
    expiresAt: tstz("expires_at"),
    createdAt: nowOnInsert("created_at"),
    lastUsedAt: tstz("last_used_at"),
    revokedAt: tstz("revoked_at"),
  },
  (t) => [
    index("api_keys_active_idx")
      .on(t.createdAt)
      .where(sql`${t.revokedAt} is null`),
    index("api_keys_user_idx")
      .on(t.userId)
      .where(sql`${t.userId} is not null`),
  ],
);

/**
 * Append-only: the migration installs a trigger that refuses UPDATE and DELETE, and the app
 * has no code path that issues either.
 */
export const auditLog = pgTable(
  "audit_log",
  {
    id: serialId(),
    at: nowOnInsert("at"),
    actorType: text("actor_type", { enum: ["user", "api_key", "system", "cli"] }).notNull(),
    actorId: text("actor_id"),
    actorLabel: text("actor_label"),
    action: text("action").notNull(),
    targetType: text("target_type"),
    targetId: text("target_id"),
    before: jsonb("before"),
    after: jsonb("after"),
    ip: inet("ip"),
    userAgent: text("user_agent"),
  },
  (t) => [
    index("audit_log_at_idx").on(t.at, t.id),
    index("audit_log_action_idx").on(t.action, t.at),
    // Manual interventions (db/queries/kpis.ts) count people's actions in a range; the
    // system's (an exception raised per problem found) can outnumber them a thousand to one.
    index("audit_log_user_at_idx")
      .on(t.at, t.action)
      .where(sql`${t.actorType} = 'user'`),
  ],
);

/**
 * Every sign-in attempt, for throttling (per account and per IP) across app instances. Kept
 * apart from the audit log because it is pruned; the audit log keeps its own entries.
 */
export const signInAttempts = pgTable(
  "sign_in_attempts",
  {
    id: serialId(),
    at: nowOnInsert("at"),
    email: text("email").notNull(),
    ip: text("ip"),
    succeeded: boolean("succeeded").notNull(),
  },
  (t) => [
    index("sign_in_attempts_email_idx").on(t.email, t.at),
    index("sign_in_attempts_ip_idx").on(t.ip, t.at),
  ],
);

/**
 * The first answer to each write sent with an Idempotency-Key, per caller (a person, or a
 * service key) and key: a repeat with the same request gets it again instead of acting
 * twice. `status` is null while the first request is still running.
 */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    owner: text("owner").notNull(),
    key: text("key").notNull(),
    /** SHA-256 of the method, path and body: the same key with another request is refused. */
    requestHash: text("request_hash").notNull(),
    status: integer("status"),
    response: text("response"),
    etag: text("etag"),
    location: text("location"),
    createdAt: nowOnInsert("created_at"),
  },
  (t) => [
    primaryKey({ columns: [t.owner, t.key] }),
    index("idempotency_keys_created_idx").on(t.createdAt),
  ],
);

/** PostgreSQL's pg_lsn, a write-ahead log position, as its text (`16/B374D848`). */
const pgLsn = customType<{ data: string; driverData: string }>({ dataType: () => "pg_lsn" });

/**
 * Each bearer-token caller's last write (a service key, or a person through their tokens):
 * the primary's WAL position after it committed, so that any app instance sends that
 * caller's reads only to a replica that has replayed it (docs/replicas.md). One row per
 * caller, overwritten at each write; a row past `expires_at` is ignored, and pruned by
 * retention. The migration makes it UNLOGGED with a low fillfactor: a marker lost in a
 * crash costs nothing (the write it marks was durable; replicas restart behind it only as
 * far as the lag limit allows), so its overwrites write no WAL and wait for no flush, and
 * are HOT updates (no index on the changing columns).
 */
export const callerWritePositions = pgTable("caller_write_positions", {
  /** `key:<api key id>` or `user:<user id>`: a person's tokens share their writes. */
  caller: text("caller").primaryKey(),
  position: pgLsn("position").notNull(),
  expiresAt: tstz("expires_at").notNull(),
});
