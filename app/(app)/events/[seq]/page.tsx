import type { Metadata } from "next";
import Link from "next/link";
import { forbidden, notFound } from "next/navigation";
import { getDb } from "@/db";
import { can } from "@/lib/auth/permissions";
import { guardPage } from "@/lib/auth/session";
import { EVENT_SEQ } from "@/lib/server/page-exists";
import { loadRawEvent } from "@/lib/events/raw-event";
import { flatten, formatFieldValue, pathLabel } from "@/lib/humanise";
import { getUserTimeZone } from "@/lib/server/time-zone";
import { describeEvent } from "@/components/exceptions/timeline";
import { ThreadLinks } from "@/components/thread/thread-links";
import { DateTime } from "@/components/ui/date-time";

export const metadata: Metadata = { title: "Raw event" };

/** An id the event's data names, if it is text (the data is as the sender wrote it). */
function idField(data: unknown, key: string): string | null {
  const value = data && typeof data === "object" ? (data as Record<string, unknown>)[key] : null;
  return typeof value === "string" && value.length > 0 && value.length <= 200 ? value : null;
}

/**
 * One stored event exactly as accepted, the end of every drill-down link. The route rule is
 * "signed-in" because two permissions open it: kpis:read (drilling from the overview) or
 * ingestion:read (operations looking at what a source sent); the check is right below.
 */
export default async function RawEventPage({ params }: { params: Promise<{ seq: string }> }) {
  const user = await guardPage("/events/[seq]");
  if (!can(user.role, "kpis:read") && !can(user.role, "ingestion:read")) forbidden();
  const { seq } = await params;
  if (!EVENT_SEQ.test(seq)) notFound();
  const raw = await loadRawEvent(await getDb(), Number(seq));
  if (!raw) notFound();
  const { event, data, cloudEvent } = raw;
  const timeZone = await getUserTimeZone();
  return (
    <section className="card" aria-labelledby="event-heading">
      <nav aria-label="Back">
        <Link href="/overview">← Overview</Link>
      </nav>
      <h1 id="event-heading">
        Event #{event.seq}: {event.type}
      </h1>
      <dl className="facts">
        <div>
          <dt>Source</dt>
          <dd>{event.source}</dd>
        </div>
        <div>
          <dt>Event id</dt>
          <dd>{event.event_id}</dd>
        </div>
        <div>
          <dt>Event time</dt>
          <dd>
            <DateTime value={event.time} />
          </dd>
        </div>
        <div>
          <dt>Received</dt>
          <dd>
            <DateTime value={event.received_at} />
          </dd>
        </div>
      </dl>
      <ThreadLinks
        invoiceId={idField(data, "invoiceId")}
        customerId={idField(data, "customerId")}
        contractId={idField(data, "contractId")}
      />
      <h2>In words</h2>
      <p data-testid="event-summary">{describeEvent(event.type, data)}</p>
      <dl className="facts" data-testid="event-fields">
        {[...flatten(data)].map(([path, field]) => (
          <div key={path}>
            <dt>{pathLabel(path)}</dt>
            <dd>
              {formatFieldValue(field.key, field.value, { currency: field.currency, timeZone })}
            </dd>
          </div>
        ))}
      </dl>
      <h2>As received</h2>
      <pre
        className="secret"
        data-testid="raw-event"
        style={{ whiteSpace: "pre-wrap", userSelect: "text" }}
      >
        {JSON.stringify(cloudEvent, null, 2)}
      </pre>
    </section>
  );
}
