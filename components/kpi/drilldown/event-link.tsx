import Link from "next/link";
import type { ReactNode } from "react";

/** A link to the raw event a record comes from, named by its number unless told otherwise. */
export function EventLink({ seq, children }: { seq: string | null; children?: ReactNode }) {
  if (!seq) return <span className="muted">—</span>;
  return <Link href={`/events/${seq}`}>{children ?? `#${seq}`}</Link>;
}
