import { LinkTabs } from "@/components/ui/link-tabs";

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
  return <LinkTabs label="Admin sections" tabs={TABS} current={current} />;
}
