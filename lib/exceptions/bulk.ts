import type { ActionResult } from "@/lib/http/action-result";
import type { BulkItemResult } from "./workflow";

/*
 * The queue's bulk actions as the browser asks for them: one action over the selected rows,
 * each named with the version the queue showed, so a row changed meanwhile is refused.
 */

type Target = { id: string; version: number };

export type BulkRequest =
  | { action: "assign"; items: Target[]; assigneeId: string | null }
  | { action: "resolve"; items: Target[]; code: string; note?: string }
  | { action: "dismiss"; items: Target[]; code: string; note: string };

export type BulkAction = (request: BulkRequest) => Promise<ActionResult<BulkItemResult[]>>;
