"use client";

import { createContext, useCallback, useContext, useState, type ReactNode } from "react";
import { ActionConfirmation } from "./action-confirmation";

type Report = (text: string) => void;

const ReportContext = createContext<Report>(() => {});

/**
 * Holds the confirmation of the last correction action above the forms that send them: a
 * proposal or a decision moves the exception on, the page re-renders without the form that was
 * used, and a message kept inside that form would vanish with it (and focus with it).
 */
export function CorrectionsFeedback({ children }: { children: ReactNode }) {
  const [confirmation, setConfirmation] = useState<{ text: string; at: number } | null>(null);
  const report = useCallback((text: string) => setConfirmation({ text, at: Date.now() }), []);
  return (
    <ReportContext.Provider value={report}>
      <ActionConfirmation confirmation={confirmation} />
      {children}
    </ReportContext.Provider>
  );
}

/** Says what a correction action did, in the panel's confirmation that outlives the form. */
export const useReportCorrection = () => useContext(ReportContext);
