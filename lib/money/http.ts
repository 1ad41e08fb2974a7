import type { Db } from "@/db/client";
import { requestMeta } from "@/lib/audit";
import { actorUserId, auditActorOf } from "@/lib/auth/actor";
import { actorOf, guardApi } from "@/lib/auth/session";
import { FxRateRequest, ListFxRatesQuery } from "@/lib/contract/fx-api";
import { idempotent } from "@/lib/http/idempotency";
import { readJsonObject } from "@/lib/http/json-body";
import { handle, json } from "@/lib/http/respond";
import { writeLimiter } from "@/lib/http/write-limit";
import { parseInput } from "@/lib/parse-input";
import { presentRate, loadRatePage } from "./rates";
import { enterRate } from "./reporting";

/*
 * /api/v1/fx-rates: reading the stored rates (exceptions:read, or a key with read), and
 * entering one as the settings page does (admin:settings, a person), with the write limiter
 * and Idempotency-Key as every API write has. The body is checked by the same rule as the
 * admin form (lib/money/reporting.ts), after a strict parse that refuses unknown fields.
 */

export const handleFxRates = handle(async (db: Db, request: Request) => {
  if (request.method === "POST") {
    const principal = await guardApi(db, request, "POST /api/v1/fx-rates");
    writeLimiter.take(principal);
    const { body, raw } = await readJsonObject(request);
    return idempotent(db, request, principal, raw, async () => {
      const actor = actorOf(principal);
      const { rate, replaced } = await enterRate(
        db,
        parseInput(FxRateRequest, body, { whole: "body" }),
        {
          userId: actorUserId(actor),
          actor: auditActorOf(actor),
          meta: requestMeta(request),
        },
      );
      return json({ ...presentRate(rate), replaced }, { status: replaced ? 200 : 201 });
    });
  }
  await guardApi(db, request, "GET /api/v1/fx-rates");
  const query = parseInput(
    ListFxRatesQuery,
    Object.fromEntries(new URL(request.url).searchParams),
    {
      whole: "query",
    },
  );
  const { limit, cursor, ...filter } = query;
  return json(await loadRatePage(db, filter, { limit, cursor }));
});
