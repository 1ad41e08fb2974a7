import type { ReactNode } from "react";

/**
 * A table that may be wider than the screen scrolls inside this box, not the page. A named box
 * is focusable so a keyboard user can scroll it and a screen reader says what it is (axe:
 * scrollable-region-focusable); a box without a name holds inputs, which take the focus
 * themselves.
 */
export function TableRegion({ label, children }: { label?: string; children: ReactNode }) {
  if (!label) return <div className="table-wrap">{children}</div>;
  return (
    <div className="table-wrap" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}
