import { formatCount, formatDuration, formatPercent } from "@/lib/format";

/* How a tile's value and its change against the previous period read. */

export type ValueKind = "ratio" | "duration" | "count";

export interface TileChange {
  /** "+0.42 pp", "−1.5 h", "+3". */
  text: string;
  direction: "up" | "down" | "flat";
  assessment: "better" | "worse" | "same";
}

export function formatValue(kind: ValueKind, value: number | null): string {
  switch (kind) {
    case "ratio":
      return formatPercent(value, 2);
    case "duration":
      return formatDuration(value);
    case "count":
      return formatCount(value);
  }
}

/** The change from `previous` to `current`, in the unit a reader compares in (percentage points for ratios). */
export function changeBetween(
  kind: ValueKind,
  current: number,
  previous: number,
  higherIsBetter: boolean,
): TileChange {
  const delta = current - previous;
  const magnitude =
    kind === "ratio"
      ? `${(Math.abs(delta) * 100).toFixed(2)} pp`
      : kind === "duration"
        ? formatDuration(Math.abs(delta))
        : formatCount(Math.abs(delta));
  // A change too small to show in the tile's precision is no change.
  const shownAsZero =
    kind === "ratio"
      ? Math.abs(delta) < 0.00005
      : kind === "duration"
        ? Math.abs(delta) < 0.5
        : delta === 0;
  if (shownAsZero)
    return {
      text: kind === "ratio" ? "±0.00 pp" : `±${kind === "duration" ? "0 ms" : "0"}`,
      direction: "flat",
      assessment: "same",
    };
  const direction = delta > 0 ? "up" : "down";
  return {
    text: `${delta > 0 ? "+" : "−"}${magnitude}`,
    direction,
    assessment: (direction === "up") === higherIsBetter ? "better" : "worse",
  };
}
