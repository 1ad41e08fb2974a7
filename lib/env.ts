import { z } from "zod";
import { parseKeyring } from "@/lib/secret-keyring";
import { parseTrustedProxies, type TrustedProxies } from "@/lib/http/client-address";

/**
 * The process environment, parsed once. Everything that reads configuration imports `env`
 * from here so that a typo in a variable name is a type error, not a silent default.
 */
const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  /** Real PostgreSQL. When unset, Closeline runs on an embedded PGlite database. */
  DATABASE_URL: z.string().url().optional(),
  /**
   * PostgreSQL streaming replicas (one URL, or several separated by commas) that serve the
   * dashboards, KPIs, queues, exports and search (docs/replicas.md). Ignored without
   * DATABASE_URL: the embedded database has no replicas.
   */
  DATABASE_REPLICA_URL: z
    .string()
    .optional()
    .transform((value) =>
      (value ?? "")
        .split(",")
        .map((url) => url.trim())
        .filter((url) => url !== ""),
    )
    .pipe(z.array(z.url({ protocol: /^postgres(ql)?$/, error: "must be postgres:// URLs" }))),
  /** A replica further behind the primary than this many seconds serves no reads. */
  DATABASE_REPLICA_MAX_LAG_SECONDS: z.coerce.number().min(0).default(10),
  /**
   * `off` when DATABASE_URL goes through a pooler in transaction mode (PgBouncer before 1.21,
   * or without max_prepared_statements): ingestion's statements are then sent unnamed and
   * parsed on every call (db/rows.ts, withPreparedStatements).
   */
  DATABASE_PREPARED_STATEMENTS: z.enum(["on", "off"]).default("on"),
  /** Where the embedded database keeps its files (git-ignored). */
  CLOSELINE_DATA_DIR: z.string().default(".data"),
  /**
   * `on`: the embedded database also answers PostgreSQL clients (psql, scripts) on the Unix
   * socket `<CLOSELINE_DATA_DIR>/.s.PGSQL.5432` while the app runs (db/embedded-socket.ts).
   * Ignored with DATABASE_URL.
   */
  CLOSELINE_PGLITE_SOCKET: z.enum(["on", "off"]).default("off"),
  /** `off` starts the product without the simulator and without demo data. */
  CLOSELINE_DEMO: z.enum(["on", "off"]).default("on"),
  /** Ingestion requests (batches) per second and burst, per API key and app instance. */
  CLOSELINE_INGEST_RATE_PER_KEY: z.coerce.number().positive().default(50),
  CLOSELINE_INGEST_BURST_PER_KEY: z.coerce.number().int().positive().default(100),
  /** Set by `npm start` for each run: the key its demo simulator sends with (lib/server/demo.ts). */
  CLOSELINE_DEMO_INGEST_KEY: z.string().min(32).optional(),
  /** Set by `npm start`: the demo receiving systems' webhook and its secret (lib/simulator/receiver.ts). */
  CLOSELINE_DEMO_WEBHOOK_URL: z.string().url().optional(),
  CLOSELINE_DEMO_WEBHOOK_SECRET: z.string().startsWith("whsec_").optional(),
  /** The demo simulator's seed: the same seed plays the same company. */
  CLOSELINE_DEMO_SEED: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(42),
  /**
   * Set by `npm start`: the span of history the server replays itself before the live feed
   * takes over (lib/server/demo-history.ts).
   */
  CLOSELINE_DEMO_HISTORY_FROM: z.iso.datetime().optional(),
  CLOSELINE_DEMO_HISTORY_TO: z.iso.datetime().optional(),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** Where people reach this Closeline; alert notices link to it. Unset: http://localhost:PORT. */
  CLOSELINE_PUBLIC_URL: z.string().url().optional(),
  /**
   * The SMTP server alert e-mail goes through, e.g. `smtp://user:pass@host:587` (STARTTLS when
   * the server offers it) or `smtps://user:pass@host:465` (TLS from the start). Unset: no
   * e-mail channel can be created.
   */
  SMTP_URL: z
    .url({ protocol: /^smtps?$/, error: "must be an smtp:// or smtps:// address" })
    .optional(),
  /** The sender of alert e-mail, e.g. `Closeline <alerts@example.com>`. */
  ALERT_EMAIL_FROM: z
    .string()
    .regex(/^(?:[^<>]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/, {
      message: "must be an address, or a name and an address in angle brackets",
    })
    .default("Closeline <alerts@closeline.invalid>"),
  /**
   * `off`: this process evaluates no alert rule, neither every minute nor after ingested
   * batches. For measuring what evaluation costs ingestion (`npm run bench -- ingest`) and for
   * an instance that should only ingest while others evaluate.
   */
  CLOSELINE_ALERT_EVALUATION: z.enum(["on", "off"]).default("on"),
  /** Raw telemetry received longer ago than this many days is deleted daily (lib/retention.ts). */
  CLOSELINE_RETENTION_DAYS: z.coerce.number().int().min(1).default(400),
  /**
   * The proxies whose X-Forwarded-For entries are believed: a hop count, or addresses and
   * CIDR ranges (lib/http/client-address.ts). Unset: none; the client is the socket's peer.
   */
  /**
   * Signs sessions (next-auth). Required in production, checked when the server starts
   * (lib/server/startup.ts) rather than here, so that a build does not need it.
   */
  AUTH_SECRET: z.string().optional(),
  /** Single sign-on with an OpenID Connect provider, when all three are set (lib/auth/oidc.ts). */
  AUTH_OIDC_ISSUER: z.string().optional(),
  AUTH_OIDC_CLIENT_ID: z.string().optional(),
  AUTH_OIDC_CLIENT_SECRET: z.string().optional(),
  /** The sign-in button's label for that provider. */
  AUTH_OIDC_NAME: z.string().optional(),
  /** Keys that seal stored secrets, newest first (lib/secret-box.ts); unset: derived from AUTH_SECRET. */
  CLOSELINE_SECRET_KEYS: z
    .string()
    .optional()
    .superRefine((value, ctx) => {
      try {
        if (value) parseKeyring({ CLOSELINE_SECRET_KEYS: value });
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
      }
    }),
  CLOSELINE_TRUSTED_PROXIES: z
    .string()
    .optional()
    .superRefine((value, ctx) => {
      try {
        parseTrustedProxies(value);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
      }
    }),
});

export type Env = z.infer<typeof EnvSchema>;

export function parseEnv(source: Record<string, string | undefined>): Env {
  // Empty strings mean "unset" (a blank line in a .env file should not become a bad URL).
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== ""));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment:\n  ${problems.join("\n  ")}`);
  }
  return parsed.data;
}

export const env: Env = parseEnv(process.env);

/** CLOSELINE_TRUSTED_PROXIES, read once (lib/http/client-address.ts). */
export const trustedProxies: TrustedProxies = parseTrustedProxies(env.CLOSELINE_TRUSTED_PROXIES);
