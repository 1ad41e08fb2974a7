import type { ReactNode } from "react";
import type { CurrentUser } from "@/lib/auth/session";
import type { ExceptionDetail } from "@/lib/exceptions/detail";
import { can } from "@/lib/auth/permissions";
import { CORRECTABLE_EXCEPTION_TYPES } from "@/lib/corrections/corrections";
import { loadCorrectionsView } from "@/lib/corrections/view";
import { CorrectionsPanel } from "./corrections-panel";
import { RejectedEventsPanel, RetryPanel } from "./retry-panel";

/*
 * The slot for the actions an exception's detail view offers beyond the everyday workflow
 * (./work-actions.tsx, which the page renders itself). Each entry says when it applies — the
 * exception's type and status, the user's role — and renders its own panel; the page shows
 * the applicable ones in this order under "Actions". Retry (lib/exceptions/retry.ts, for
 * erp_posting_failed and event_rejected) and corrections (lib/corrections, for
 * reconciliation_break, invoice_disputed and retroactive_amendment) add their panels here.
 */

export interface ActionPanelContext {
  exception: ExceptionDetail;
  viewer: { id: string; role: CurrentUser["role"]; label: string };
}

export interface ActionPanel {
  key: string;
  appliesTo: (context: ActionPanelContext) => boolean;
  render: (context: ActionPanelContext) => ReactNode;
}

export const ACTION_PANELS: ActionPanel[] = [
  {
    key: "retry",
    appliesTo: ({ exception }) => exception.type === "erp_posting_failed",
    render: ({ exception, viewer }) => (
      <RetryPanel
        exceptionId={exception.id}
        status={exception.status}
        canWork={can(viewer.role, "exceptions:work")}
      />
    ),
  },
  {
    key: "rejected-events",
    appliesTo: ({ exception }) => exception.type === "event_rejected",
    render: ({ exception, viewer }) => (
      <RejectedEventsPanel
        exceptionId={exception.id}
        canWork={can(viewer.role, "exceptions:work")}
      />
    ),
  },
  {
    key: "corrections",
    appliesTo: ({ exception }) =>
      (CORRECTABLE_EXCEPTION_TYPES as readonly string[]).includes(exception.type),
    render: ({ exception, viewer }) => <CorrectionsSection exception={exception} viewer={viewer} />,
  },
];

async function CorrectionsSection({ exception, viewer }: ActionPanelContext) {
  const { corrections, names } = await loadCorrectionsView(exception.id);
  return (
    <CorrectionsPanel
      exception={exception}
      corrections={corrections}
      user={{ id: viewer.id, role: viewer.role }}
      names={names}
    />
  );
}

/** The panels of ACTION_PANELS that apply, each in its own block. */
export function ExtraActionPanels(context: ActionPanelContext) {
  const panels = ACTION_PANELS.filter((panel) => panel.appliesTo(context));
  if (panels.length === 0) return null;
  return (
    <>
      {panels.map((panel) => (
        <div key={panel.key} data-action-panel={panel.key}>
          {panel.render(context)}
        </div>
      ))}
    </>
  );
}
