import type { DigestView } from "@/lib/contract/digests";

/* How a digest's schedule and target read in a sentence. */

const capitalised = (word: string) => word[0]!.toUpperCase() + word.slice(1);

/** "Mondays at 08:00 (Europe/Berlin)", "Daily at 07:30 (UTC)". */
export function scheduleWords(
  digest: Pick<DigestView, "cadence" | "weekday" | "time" | "timeZone">,
) {
  const when =
    digest.cadence === "weekly" && digest.weekday ? `${capitalised(digest.weekday)}s` : "Daily";
  return `${when} at ${digest.time} (${digest.timeZone})`;
}

/** "your address (a@b.c)", "Finance (slack)". */
export function targetWords(target: DigestView["target"]) {
  return target.kind === "email"
    ? `your address (${target.address})`
    : `${target.name} (${target.channelKind})`;
}
