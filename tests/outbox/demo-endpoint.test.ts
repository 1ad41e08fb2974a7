import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { webhookEndpoints } from "@/db/schema";
import {
  DEMO_ENDPOINT_NAME,
  endpointFor,
  openEndpointSecret,
  registerDemoEndpoint,
} from "@/lib/outbox/endpoints";
import { generateWebhookSecret } from "@/lib/outbox/signature";
import { createTestDb, testDbForSuite } from "../support/db";
import { makeEndpoint } from "./support";

/* `npm start` hands the server its demo receiver's URL and secret on every run. */

const t = testDbForSuite();

describe("registerDemoEndpoint", () => {
  it("registers the demo receiver for every kind, and updates it in place on the next run", async () => {
    const first = await registerDemoEndpoint(
      t.db,
      "http://127.0.0.1:4001/webhooks",
      generateWebhookSecret(),
    );
    expect(first).not.toBeNull();
    expect(await endpointFor(t.db, "erp.posting.retry")).toMatchObject({ id: first!.id });
    expect(await endpointFor(t.db, "correction.execute")).toMatchObject({ id: first!.id });

    const secret = generateWebhookSecret();
    expect(await registerDemoEndpoint(t.db, "http://127.0.0.1:4002/webhooks", secret)).toEqual(
      first,
    );
    expect(await registerDemoEndpoint(t.db, "http://127.0.0.1:4002/webhooks", secret)).toEqual(
      first,
    );
    const rows = await t.db
      .select()
      .from(webhookEndpoints)
      .where(eq(webhookEndpoints.name, DEMO_ENDPOINT_NAME));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ url: "http://127.0.0.1:4002/webhooks", active: true });
    // Stored sealed, never in the clear (lib/secret-box.ts).
    expect(rows[0]!.secret).not.toBe(secret);
    expect(openEndpointSecret(rows[0]!.secret)).toBe(secret);
  });

  it("leaves to an admin's endpoint the kinds it receives", async () => {
    const other = await createTestDb();
    try {
      const admins = await makeEndpoint(other.db, "https://erp.example.test/hooks", [
        "erp.posting.retry",
      ]);
      const demo = await registerDemoEndpoint(
        other.db,
        "http://127.0.0.1:4001/webhooks",
        generateWebhookSecret(),
      );
      expect(await endpointFor(other.db, "erp.posting.retry")).toMatchObject({
        id: admins.endpoint.id,
      });
      expect(await endpointFor(other.db, "correction.execute")).toMatchObject({ id: demo!.id });
    } finally {
      await other.close();
    }
  }, 90_000);
});
