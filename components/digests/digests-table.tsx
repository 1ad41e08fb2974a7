import { DataTable } from "@/components/table/data-table";
import { DateTime } from "@/components/ui/date-time";
import { RowActionButton } from "@/components/ui/row-action-button";
import type { DigestView } from "@/lib/contract/digests";
import type { ActionResult } from "@/lib/http/action-result";
import { scheduleWords, targetWords } from "./digest-words";

type RowAction = (form: FormData) => Promise<ActionResult>;

/** One's digests, each with pause or resume and unsubscribe; `edit` renders a row's change form. */
export function DigestsTable({
  digests,
  setEnabled,
  remove,
  edit,
}: {
  digests: DigestView[];
  setEnabled: RowAction;
  remove: RowAction;
  edit: (digest: DigestView) => React.ReactNode;
}) {
  return (
    <DataTable
      label="Your digests"
      rows={digests}
      rowTestId="digest"
      empty="No digest yet."
      labelActionsOnPhone
      rowActions={(d) => (
        <>
          <RowActionButton
            id={d.id}
            fields={{ enabled: String(!d.enabled) }}
            label={d.enabled ? "Pause" : "Resume"}
            pendingLabel={d.enabled ? "Pausing…" : "Resuming…"}
            ariaLabel={`${d.enabled ? "Pause" : "Resume"} the digest ${scheduleWords(d)}`}
            action={setEnabled}
          />
          <RowActionButton
            id={d.id}
            label="Unsubscribe"
            pendingLabel="Unsubscribing…"
            ariaLabel={`Unsubscribe from the digest ${scheduleWords(d)}`}
            confirm="Stop this digest?"
            danger
            action={remove}
          />
          <details>
            <summary>Change</summary>
            {edit(d)}
          </details>
        </>
      )}
      columns={[
        { header: "When", cell: (d) => scheduleWords(d), rowHeader: true },
        { header: "To", cell: (d) => targetWords(d.target) },
        { header: "Entity", cell: (d) => d.entity ?? "All entities" },
        {
          header: "Next",
          cell: (d) => (d.nextSendAt ? <DateTime value={d.nextSendAt} /> : "Paused"),
        },
        {
          header: "Last sent",
          cell: (d) => (d.lastSentAt ? <DateTime value={d.lastSentAt} /> : "—"),
        },
      ]}
    />
  );
}
