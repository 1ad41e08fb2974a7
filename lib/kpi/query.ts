import { z } from "zod";
import { Timestamp } from "@/lib/contract";

/* The query of GET /api/v1/kpis; apart so the OpenAPI document can read it. */

/** A year is plenty for a dashboard query; longer ranges belong in an export. */
const MAX_RANGE_MS = 366 * 86_400_000;

export const KpiQuery = z
  .object({
    from: Timestamp.optional(),
    to: Timestamp.optional(),
    entity: z.string().min(1).max(200).optional(),
  })
  .refine((q) => !q.from === !q.to, { message: "from and to go together", path: ["to"] })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) < Date.parse(q.to), {
    message: "must be after from",
    path: ["to"],
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.to) - Date.parse(q.from) <= MAX_RANGE_MS, {
    message: "the range may span at most 366 days",
    path: ["to"],
  });
