import "server-only";
import { inArray } from "drizzle-orm";
import { getDb } from "@/db";
import { apiKeys, users } from "@/db/schema";
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
  const keys = keyIds.length
    ? await db
        .select({ id: apiKeys.id, name: apiKeys.name })
        .from(apiKeys)
        .where(inArray(apiKeys.id, keyIds))
    : [];
  const people = ids.length
    ? await db
        .select({ id: users.id, email: users.email, name: users.name })
        .from(users)
        .where(inArray(users.id, ids))
    : [];
  const names = Object.fromEntries([
    ...people.map((p) => [p.id, p.name ?? p.email]),
    ...keys.map((k) => [k.id, `service key ${k.name}`]),
  ]);
  return { corrections, names };
}
