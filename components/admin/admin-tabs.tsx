import Link from "next/link";

const TABS = [
  { href: "/admin/users", label: "Users" },
  { href: "/admin/api-keys", label: "API keys" },
  { href: "/admin/audit", label: "Audit log" },
  { href: "/admin/settings", label: "Settings" },
  { href: "/admin/webhooks", label: "Webhooks" },
];

/** The heading of every admin page and the tabs between them. */
export function AdminHeader({ current }: { current: string }) {
  return (
    <>
      <h1>Admin</h1>
      <AdminTabs current={current} />
    </>
  );
}

export function AdminTabs({ current }: { current: string }) {
  return (
    <nav aria-label="Admin sections" className="form-row">
      {TABS.map((tab) => (
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
