import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { handleCliRequest } from "@/lib/server/control";
import { WILDCARD_TITLES, seededSuite } from "./read-seed";
import { expectPrototypesClean, fuzzOptions, hostileText, readAnswer } from "./support";

/*
 * The operator route POST /api/internal/cli under hostile bodies and headers, through the
 * handler the route uses: without the control token, or from elsewhere than loopback, every
 * body is refused and no row of any table changes; with both, malformed or unknown commands
 * are answered without a 5xx and no prototype is polluted. Seeded as fuzz-queries.test.ts.
 */

const { t, snapshot } = seededSuite(WILDCARD_TITLES);

describe("POST /api/internal/cli under fuzzing", () => {
  const TOKEN = "control-token-for-tests";
  const loopback = { "x-forwarded-for": "127.0.0.1", host: "localhost:3000" };
  const call = async (headers: Record<string, string>, body: string) => {
    const request = new Request("http://localhost:3000/api/internal/cli", {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
    });
    const response = await handleCliRequest(request, { token: TOKEN, getDb: async () => t.db });
    return readAnswer(response, `POST /api/internal/cli ${JSON.stringify(headers)} ${body}`);
  };
  const body = fc.oneof(
    fc.json({ maxDepth: 3 }),
    fc.constantFrom("", "{", "null", "[]", '{"command":"","args":[]}', "\u0000"),
    fc
      .record({
        command: fc.oneof(fc.constantFrom("help", "--version", "user", "api-key"), hostileText),
        args: fc.array(hostileText, { maxLength: 3 }),
      })
      .map((b) => JSON.stringify(b)),
  );

  it("refuses every body without the token or from elsewhere, changing nothing", async () => {
    const before = await snapshot();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Record<string, string>>(
          loopback,
          { ...loopback, authorization: "Bearer wrong" },
          { authorization: `Bearer ${TOKEN}` },
          { "x-forwarded-for": "10.0.0.1", host: "localhost", authorization: `Bearer ${TOKEN}` },
        ),
        body,
        async (headers, text) => {
          const answer = await call(headers, text);
          expect([401, 403]).toContain(answer.status);
        },
      ),
      fuzzOptions(50),
    );
    expect(await snapshot()).toEqual(before);
  });

  it("answers the operator's malformed or unknown commands without a 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        await call({ ...loopback, authorization: `Bearer ${TOKEN}` }, text);
        expectPrototypesClean();
      }),
      fuzzOptions(50),
    );
  }, 60_000);
});
