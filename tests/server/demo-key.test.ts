import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { apiKeys } from "@/db/schema";
import { authenticateApiKey } from "@/lib/auth/api-keys";
import { Unauthenticated } from "@/lib/errors";
import { DEMO_KEY_NAME, registerDemoIngestKey } from "@/lib/server/demo";
import { testDbForSuite } from "../support/db";

/* npm start hands the server a fresh demo key on every run; only the newest one works. */

const t = testDbForSuite();

const newKey = () => `cl_${randomBytes(32).toString("base64url")}`;
const request = (key: string) =>
  new Request("http://localhost/api/v1/events", { headers: { authorization: `Bearer ${key}` } });

describe("registerDemoIngestKey", () => {
  it("creates one demo key with the ingest and read scopes, and rotates it in place", async () => {
    const first = newKey();
    const { id } = await registerDemoIngestKey(t.db, first);
    expect(await authenticateApiKey(t.db, request(first), "ingest")).toMatchObject({ id });
    expect(await authenticateApiKey(t.db, request(first), "read")).toMatchObject({ id });

    // Registering the same key again (a restart of the server alone) changes nothing.
    expect(await registerDemoIngestKey(t.db, first)).toEqual({ id });

    const second = newKey();
    expect(await registerDemoIngestKey(t.db, second)).toEqual({ id });
    await expect(authenticateApiKey(t.db, request(first), "ingest")).rejects.toBeInstanceOf(
      Unauthenticated,
    );
    expect(await authenticateApiKey(t.db, request(second), "ingest")).toMatchObject({ id });

    const rows = await t.db.select().from(apiKeys).where(eq(apiKeys.name, DEMO_KEY_NAME));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.scopes).toEqual(["ingest", "read"]);
    expect(rows[0]!.prefix).toBe(second.slice(0, 10));
  });
});
