import type { ReactNode } from "react";

/**
 * A table that may be wider than the screen scrolls inside this box, not the page. The box is
 * focusable and named so a keyboard user can scroll it and a screen reader says what it is
 * (axe: scrollable-region-focusable).
 */
export function TableRegion({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-wrap" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}
