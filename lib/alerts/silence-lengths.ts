import { durationMs } from "@/lib/contract/duration";

/** How long the Alerts page offers to silence for (the API takes any `until`). */
export const SILENCE_LENGTHS = [
  { value: "PT1H", label: "1 hour" },
  { value: "PT4H", label: "4 hours" },
  { value: "PT12H", label: "12 hours" },
  { value: "P1D", label: "1 day" },
  { value: "P7D", label: "7 days" },
] as const;

/** The end of a silence chosen on the page, or null for a length it does not offer. */
export function silenceEnd(length: string, from: Date): Date | null {
  if (!SILENCE_LENGTHS.some((l) => l.value === length)) return null;
  return new Date(from.getTime() + (durationMs(length) ?? 0));
}
