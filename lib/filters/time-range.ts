/*
 * The time range every view is filtered by. Presets are relative to now and end at the next
 * hour boundary so that a shared link and a reload show the same buckets within the hour;
 * `custom` carries explicit from/to. Ranges are half-open: [from, to).
 */

export const RANGE_PRESETS = ["24h", "7d", "30d", "90d"] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number];
export const RANGE_CHOICES = [...RANGE_PRESETS, "custom"] as const;
export type RangeChoice = (typeof RANGE_CHOICES)[number];
export const DEFAULT_RANGE: RangePreset = "30d";

const PRESET_HOURS: Record<RangePreset, number> = {
  "24h": 24,
  "7d": 7 * 24,
  "30d": 30 * 24,
  "90d": 90 * 24,
};
const HOUR_MS = 3_600_000;

export const RANGE_LABELS: Record<RangeChoice, string> = {
  "24h": "Last 24 hours",
  "7d": "Last 7 days",
  "30d": "Last 30 days",
  "90d": "Last 90 days",
  custom: "Custom",
};

export interface TimeRange {
  from: Date;
  to: Date;
}

export function resolveTimeRange(
  input: { range: RangeChoice | null; from: Date | null; to: Date | null },
  now: Date = new Date(),
): TimeRange {
  if (input.range === "custom" && input.from && input.to && input.from < input.to) {
    return { from: input.from, to: input.to };
  }
  const preset = input.range && input.range !== "custom" ? input.range : DEFAULT_RANGE;
  const to = new Date(Math.ceil(now.getTime() / HOUR_MS) * HOUR_MS);
  return { from: new Date(to.getTime() - PRESET_HOURS[preset] * HOUR_MS), to };
}

/** The equal-length period just before, for "change against the previous period". */
export function previousPeriod(range: TimeRange): TimeRange {
  const length = range.to.getTime() - range.from.getTime();
  return { from: new Date(range.from.getTime() - length), to: range.from };
}
