import { getDb } from "@/db";
import { env } from "@/lib/env";
import { writeControlFile } from "./control";
import { registerDemoIngestKey } from "./demo";
import { startClockedWork } from "./clocked-work";
import { ensureDemoUsers } from "./demo-users";
import { registerDemoEndpoint, resealEndpointSecrets } from "@/lib/outbox/endpoints";
import { startOutboxDispatcher } from "@/lib/outbox/dispatcher";
import { startRetentionSchedule } from "@/lib/retention";
import { startDigestScheduler } from "@/lib/digests/scheduler";

/** Everything a server process does once before serving. */
export async function startServerProcess(): Promise<void> {
  assertAuthSecret();
  // The embedded database admits one process: tell the operator CLI to send its commands
  // here instead. Before opening it, so a CLI started meanwhile waits for us (control.ts).
  if (!env.DATABASE_URL) writeControlFile({ dataDir: env.CLOSELINE_DATA_DIR, port: env.PORT });
  const db = await getDb();
  await ensureDemoUsers(db);
  // `npm start` passes the key its demo simulator will send with (scripts/start.ts).
  const demoKey =
    env.CLOSELINE_DEMO_INGEST_KEY && env.CLOSELINE_DEMO !== "off"
      ? await registerDemoIngestKey(db, env.CLOSELINE_DEMO_INGEST_KEY)
      : null;
  // …and the webhook of the receiving systems its simulator plays (lib/simulator/receiver.ts).
  if (
    env.CLOSELINE_DEMO_WEBHOOK_URL &&
    env.CLOSELINE_DEMO_WEBHOOK_SECRET &&
    env.CLOSELINE_DEMO !== "off"
  ) {
    await registerDemoEndpoint(
      db,
      env.CLOSELINE_DEMO_WEBHOOK_URL,
      env.CLOSELINE_DEMO_WEBHOOK_SECRET,
    );
  }
  // Webhook secrets stored before sealing, or under a rotated-out key, are sealed anew.
  const reseal = await resealEndpointSecrets(db);
  if (reseal.unreadable > 0) {
    console.error(
      `${reseal.unreadable} webhook signing secret(s) open with no key in CLOSELINE_SECRET_KEYS; their deliveries will fail until the key is restored`,
    );
  }
  // `npm start` leaves its history to the server to replay (lib/server/demo-history.ts).
  const history =
    demoKey && env.CLOSELINE_DEMO_HISTORY_FROM && env.CLOSELINE_DEMO_HISTORY_TO
      ? {
          since: Date.parse(env.CLOSELINE_DEMO_HISTORY_FROM),
          until: Date.parse(env.CLOSELINE_DEMO_HISTORY_TO),
        }
      : null;
  startClockedWork(db, {
    demo:
      demoKey && history
        ? { seed: env.CLOSELINE_DEMO_SEED, apiKeyId: demoKey.id, ...history }
        : null,
    alertEvaluation: env.CLOSELINE_ALERT_EVALUATION === "on",
  });
  startOutboxDispatcher(db);
  startDigestScheduler(db);
  startRetentionSchedule(db, env.CLOSELINE_RETENTION_DAYS);
}

/**
 * Sessions are signed with AUTH_SECRET. Without it next-auth would refuse every sign-in with
 * an obscure error; in production we refuse to start instead, saying what to do.
 */
function assertAuthSecret(): void {
  const secret = env.AUTH_SECRET;
  if (env.NODE_ENV === "production" && (!secret || secret.length < 32)) {
    throw new Error(
      "AUTH_SECRET must be set to a random string of at least 32 characters in production " +
        "(e.g. `openssl rand -base64 32`). `npm start` creates one for a local demo.",
    );
  }
}
