import "server-only";
import { getDb } from "@/db";
import { apiKeyNames, peopleNames } from "@/db/queries/corrections";
import { correctionsForException } from "./corrections";

/** What the corrections panel shows: the proposals, their decisions, and the people's names. */
export async function loadCorrectionsView(exceptionId: string) {
  const db = await getDb();
  const corrections = await correctionsForException(db, exceptionId);
  const ids = [
    ...new Set(
      corrections.flatMap((c) => [
        ...(c.proposedBy ? [c.proposedBy] : []),
        ...c.decisions.map((d) => d.deciderId),
      ]),
    ),
  ];
  const keyIds = [
    ...new Set(corrections.flatMap((c) => (c.proposedByKeyId ? [c.proposedByKeyId] : []))),
  ];
  const keys = await apiKeyNames(db, keyIds);
  const people = await peopleNames(db, ids);
  const names = Object.fromEntries([
    ...people.map((p) => [p.id, p.name ?? p.email]),
    ...keys.map((k) => [k.id, `service key ${k.name}`]),
  ]);
  return { corrections, names };
}
