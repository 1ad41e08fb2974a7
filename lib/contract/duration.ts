import { z } from "zod";

/*
 * Durations as alerting writes them: ISO 8601 text (`PT10M`, `P1D`), checked and measured in
 * one place so a rule's window, its repeat interval and a channel's group window agree.
 */

const ISO_DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/**
 * An ISO 8601 duration of weeks, days, hours, minutes and seconds (`P1D`, `PT10M`, `P1DT12H`)
 * in milliseconds, a day being 24 hours; null when it is not one. Years and months are
 * refused: their length depends on where they start.
 */
export function durationMs(text: string): number | null {
  const m = ISO_DURATION.exec(text);
  if (!m || text === "P" || text.endsWith("T")) return null;
  const [w, d, h, min, s] = m.slice(1).map((part) => Number(part ?? 0));
  return ((((w! * 7 + d!) * 24 + h!) * 60 + min!) * 60 + s!) * 1000;
}

export const Duration = z
  .string()
  .refine((text) => durationMs(text) !== null, {
    message: "must be an ISO 8601 duration of weeks, days, hours, minutes or seconds, e.g. PT10M",
  })
  .meta({ description: "ISO 8601 duration (W, D, H, M, S)", example: "PT10M" });

/** A Duration from `minMs` to `maxMs` inclusive; `message` names the bounds as durations. */
export function durationWithin(minMs: number, maxMs: number, message: string) {
  return Duration.refine((text) => {
    const ms = durationMs(text) ?? 0;
    return ms >= minMs && ms <= maxMs;
  }, message);
}
