import { randomBytes } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "@/db/rows";
import { webhookEndpoints } from "@/db/schema";
import { dispatchDue } from "@/lib/outbox/dispatcher";
import {
  ENDPOINT_SECRET_PURPOSE,
  openEndpointSecret,
  resealEndpointSecrets,
} from "@/lib/outbox/endpoints";
import { enqueue } from "@/lib/outbox/enqueue";
import { generateWebhookSecret } from "@/lib/outbox/signature";
import { UnreadableSecret, needsResealing, open, seal, type SecretKey } from "@/lib/secret-box";
import { parseKeyring } from "@/lib/secret-keyring";
import { testDbForSuite } from "../support/db";
import { FAST, makeEndpoint, startReceiver, type TestReceiver } from "./support";

/*
 * Webhook signing secrets are stored sealed (AES-256-GCM): the database never holds one in
 * the clear, deliveries still verify with the standardwebhooks library, and a key rotation
 * reseals every stored secret at start.
 */

const key = (id: string): SecretKey => ({ id, key: randomBytes(32) });

describe("the secret box", () => {
  const old = key("old");
  const current = key("new");

  it("opens what it sealed, and only for the same purpose", () => {
    const sealed = seal("whsec_abc", "a.column", [current]);
    expect(sealed).toMatch(/^sealed:v1:new:/);
    expect(sealed).not.toContain("abc");
    expect(seal("whsec_abc", "a.column", [current])).not.toBe(sealed);
    expect(open(sealed, "a.column", [current])).toBe("whsec_abc");
    expect(() => open(sealed, "another.column", [current])).toThrow(UnreadableSecret);
  });

  it("refuses a tampered value or one sealed under a key it lacks", () => {
    const sealed = seal("whsec_abc", "p", [old]);
    const parts = sealed.split(":");
    parts[5] = Buffer.from("whsec_xyz").toString("base64url");
    expect(() => open(parts.join(":"), "p", [old])).toThrow(UnreadableSecret);
    expect(() => open(sealed, "p", [current])).toThrow(/No key "old"/);
  });

  it("opens old values after a rotation and says which need resealing", () => {
    const sealedOld = seal("s1", "p", [old]);
    const rotated = [current, old];
    expect(open(sealedOld, "p", rotated)).toBe("s1");
    expect(needsResealing(sealedOld, rotated)).toBe(true);
    expect(needsResealing(seal("s1", "p", rotated), rotated)).toBe(false);
    expect(needsResealing("whsec_plaintext", rotated)).toBe(true);
  });

  it("reads keys from CLOSELINE_SECRET_KEYS, or derives one from AUTH_SECRET", () => {
    const encoded = randomBytes(32).toString("base64");
    expect(
      parseKeyring({ CLOSELINE_SECRET_KEYS: `k2:${encoded}, k1:${encoded}` }).map((k) => k.id),
    ).toEqual(["k2", "k1"]);
    const a = parseKeyring({ AUTH_SECRET: "a".repeat(40) });
    const b = parseKeyring({ AUTH_SECRET: "a".repeat(40) });
    expect(a[0]!.key.equals(b[0]!.key)).toBe(true);
    expect(() => parseKeyring({ CLOSELINE_SECRET_KEYS: "k1:short" })).toThrow(/32 bytes/);
    expect(() => parseKeyring({ NODE_ENV: "production" })).toThrow(/AUTH_SECRET/);
  });
});

describe("stored endpoint secrets", () => {
  const t = testDbForSuite();
  let receiver: TestReceiver;

  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
  });

  it("are never in the database in the clear, and deliveries still verify", async () => {
    const created = await makeEndpoint(t.db, receiver.url);
    receiver.secret = created.secret;
    const rows = await queryRows<{ secret: string }>(
      t.db,
      sql`select secret from webhook_endpoints where id = ${created.endpoint.id}`,
    );
    const stored = rows[0]!.secret;
    expect(stored).toMatch(/^sealed:v1:/);
    expect(stored).not.toContain(created.secret.slice(6));
    await enqueue(t.db, {
      kind: "erp.posting.retry",
      payload: { postingId: "PST-sealed" },
      idempotencyKey: "sealed-secret-test",
    });
    await dispatchDue(t.db, FAST);
    // The receiver checks each signature with the standardwebhooks library.
    expect(receiver.deliveries.map((d) => d.signatureValid)).toEqual([true]);
  });

  it("are sealed at start when stored in plaintext, and resealed after a key rotation", async () => {
    const plaintext = generateWebhookSecret();
    const [legacy] = await t.db
      .insert(webhookEndpoints)
      .values({ name: "legacy", url: "http://127.0.0.1:9/legacy", kinds: [], secret: plaintext })
      .returning({ id: webhookEndpoints.id });
    const first = [key("first")];
    expect((await resealEndpointSecrets(t.db, first)).resealed).toBeGreaterThanOrEqual(1);
    const storedSecret = async () =>
      (await t.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, legacy!.id)))[0]!
        .secret;
    const sealedFirst = await storedSecret();
    expect(sealedFirst).toMatch(/^sealed:v1:first:/);
    expect(openEndpointSecret(sealedFirst, first)).toBe(plaintext);

    const rotated = [key("second"), first[0]!];
    await resealEndpointSecrets(t.db, rotated);
    const sealedSecond = await storedSecret();
    expect(sealedSecond).toMatch(/^sealed:v1:second:/);
    expect(open(sealedSecond, ENDPOINT_SECRET_PURPOSE, [rotated[0]!])).toBe(plaintext);
    // Run again: nothing left to do.
    expect(await resealEndpointSecrets(t.db, rotated)).toMatchObject({ resealed: 0 });
    // A key that is gone leaves the secret as it is, counted.
    expect((await resealEndpointSecrets(t.db, [key("third")])).unreadable).toBeGreaterThanOrEqual(
      1,
    );
    expect(await storedSecret()).toBe(sealedSecond);
  });
});
