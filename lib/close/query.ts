import { z } from "zod";
import { EntityCode } from "@/lib/contract";
import { PERIOD_KEY } from "./period";

/** The query of GET /api/v1/close-readiness(.csv); apart so the OpenAPI document can read it. */
export const CloseReadinessQuery = z.object({
  entity: EntityCode,
  period: z.string().regex(PERIOD_KEY, "must be a month as YYYY-MM").optional(),
  /** Usage completeness target as a ratio, e.g. 0.995. */
  completenessTarget: z.coerce.number().min(0).max(1).optional(),
});
