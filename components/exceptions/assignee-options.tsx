import { ChoiceOptions } from "@/components/forms/field";
import type { Assignee } from "@/lib/exceptions/detail";

/** Everyone an exception may be assigned to but the viewer, who has an option of their own. */
export function OtherAssigneeOptions({
  assignees,
  viewerId,
}: {
  assignees: readonly Assignee[];
  viewerId: string;
}) {
  return (
    <ChoiceOptions
      choices={assignees
        .filter((a) => a.id !== viewerId)
        .map((a) => ({ value: a.id, label: a.label }))}
    />
  );
}
