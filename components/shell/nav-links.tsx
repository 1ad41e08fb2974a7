"use client";

import Link from "next/link";
import { usePathname, useSearchParams } from "next/navigation";

export interface NavItem {
  href: string;
  label: string;
}

/** Carries the shared filters (entity, range) from one area to the next. */
const SHARED_PARAMS = ["entity", "range", "from", "to"];

export function NavLinks({ items }: { items: NavItem[] }) {
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const shared = new URLSearchParams();
  for (const key of SHARED_PARAMS) {
    const value = searchParams.get(key);
    if (value) shared.set(key, value);
  }
  const query = shared.toString();
  return (
    <ul className="nav-list">
      {items.map((item) => {
        const active = pathname === item.href || pathname.startsWith(`${item.href}/`);
        return (
          <li key={item.href}>
            <Link
              href={query ? `${item.href}?${query}` : item.href}
              aria-current={active ? "page" : undefined}
            >
              {item.label}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}
