"use client";

import { createContext, useActionState, useContext, useMemo, type ReactNode } from "react";
import { decideCorrectionAction, proposeCorrectionAction } from "@/lib/corrections/actions";
import type { ActionResult } from "@/lib/http/action-result";
import { ActionConfirmation } from "./action-confirmation";

/** What a decision did, by the correction's status after it. */
const DECISION_OUTCOME: Record<string, string> = {
  pending_approval: "Your approval is recorded; the correction still needs another approver.",
  approved:
    "Approved. The correction is sent to its target system; the exception resolves when that system confirms it.",
  rejected: "Rejected. The correction will not be carried out; the exception is open again.",
};
const PROPOSED = "Correction proposed; it now waits for another finance user's approval.";

interface FormAction<T> {
  state: ActionResult<T> | null;
  action: (form: FormData) => void;
  pending: boolean;
}

interface CorrectionActions {
  propose: FormAction<{ id: string; at: number }>;
  decide: FormAction<{ status: string; at: number }>;
}

const ActionsContext = createContext<CorrectionActions | null>(null);

/**
 * Owns the correction forms' action state above the forms: a proposal or a decision moves the
 * exception on and the page re-renders without the form that was used, so a message kept in
 * that form would vanish with it (and focus with it). The confirmation says what was done and
 * stays until the next action. The actions stay server actions, so the forms post without
 * JavaScript too.
 */
export function CorrectionsFeedback({ children }: { children: ReactNode }) {
  const [proposed, propose, proposing] = useActionState(proposeCorrectionAction, null);
  const [decided, decide, deciding] = useActionState(decideCorrectionAction, null);
  // The latest of the two, by when the server did it; kept as one object per action so the
  // confirmation takes the focus once, not at every re-render.
  const confirmation = useMemo(() => {
    const said = [
      proposed?.ok ? { text: PROPOSED, at: proposed.data.at } : null,
      decided?.ok
        ? {
            text: DECISION_OUTCOME[decided.data.status] ?? "Decision recorded.",
            at: decided.data.at,
          }
        : null,
    ].filter((c) => c !== null);
    return said.sort((a, b) => b.at - a.at)[0] ?? null;
  }, [proposed, decided]);
  return (
    <ActionsContext.Provider
      value={{
        propose: { state: proposed, action: propose, pending: proposing },
        decide: { state: decided, action: decide, pending: deciding },
      }}
    >
      <ActionConfirmation confirmation={confirmation} />
      {children}
    </ActionsContext.Provider>
  );
}

/** The propose and decide actions of the panel the form is in. */
export function useCorrectionActions(): CorrectionActions {
  const actions = useContext(ActionsContext);
  if (!actions) throw new Error("a correction form must sit inside <CorrectionsFeedback>");
  return actions;
}
