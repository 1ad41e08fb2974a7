import type { QueueCounts } from "@/lib/exceptions/queue";
import type { QueueParams } from "@/lib/exceptions/queue-params";
import { formatCount } from "@/lib/format";

/** The total of the selected tab, or of every tab. */
export function totalOf(counts: QueueCounts, type: QueueParams["type"]) {
  // A type with nothing open may be missing from the counts.
  if (type) return counts.byType[type] ?? { count: 0, capped: false };
  const all = Object.values(counts.byType);
  return { count: all.reduce((sum, c) => sum + c.count, 0), capped: all.some((c) => c.capped) };
}

export function countText(total: { count: number; capped: boolean }) {
  return `${formatCount(total.count)}${total.capped ? "+" : ""} ${total.count === 1 && !total.capped ? "exception" : "exceptions"}`;
}
