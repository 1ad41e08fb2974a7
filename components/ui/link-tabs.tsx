import Link from "next/link";
import type { CSSProperties } from "react";

/**
 * A row of links between views of one page (admin sections, a KPI's views, incidents by
 * status): the current one is marked for screen readers (aria-current="page") and drawn as the
 * primary button, so it is seen too.
 */
export function LinkTabs({
  label,
  tabs,
  current,
  style,
}: {
  /** The navigation landmark's name: "Admin sections", "Incident status". */
  label: string;
  tabs: readonly { href: string; label: string }[];
  /** The href of the tab shown now. */
  current: string;
  style?: CSSProperties;
}) {
  return (
    <nav aria-label={label} className="form-row" style={style}>
      {tabs.map((tab) => (
        <Link
          key={tab.href}
          href={tab.href}
          className={tab.href === current ? "button primary" : "button"}
          aria-current={tab.href === current ? "page" : undefined}
        >
          {tab.label}
        </Link>
      ))}
    </nav>
  );
}
