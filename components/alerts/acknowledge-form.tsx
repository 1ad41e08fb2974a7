"use client";

import type { FormAction } from "@/components/forms/action-form";
import { AlertActionForm } from "./alert-action-form";

/** Acknowledges one firing alert with a comment saying what is being done about it. */
export function AcknowledgeForm({
  alertId,
  alertName,
  acknowledge,
}: {
  alertId: string;
  alertName: string;
  acknowledge: FormAction<undefined>;
}) {
  return (
    <AlertActionForm
      alertId={alertId}
      alertName={alertName}
      action={acknowledge}
      verb="Acknowledge"
      pendingLabel="Acknowledging…"
      comment={{ label: "Comment", placeholder: "What are you doing about it?", flex: "1 1 14rem" }}
    />
  );
}
