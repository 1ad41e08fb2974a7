import type { Metadata } from "next";
import { getDb } from "@/db";
import { AdminTabs } from "@/components/admin/admin-tabs";
import { guardPage } from "@/lib/auth/session";
import { loadTargets, targetFormRows } from "@/lib/kpi/targets";
import { TargetsForm } from "./client";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  await guardPage("/admin/settings");
  const targets = await loadTargets(await getDb());
  return (
    <>
      <h1>Admin</h1>
      <AdminTabs current="/admin/settings" />
      <section className="card" aria-labelledby="targets-heading">
        <h2 id="targets-heading">KPI targets</h2>
        <p className="muted">
          The overview colours each tile against these: on target (green), warning (amber) between
          the target and the warning level, off target (red) beyond it. Leave a target empty for no
          colour. A KPI with nothing to measure is always shown as “no data”, never green. Every
          change is recorded in the audit log.
        </p>
        <TargetsForm rows={targetFormRows(targets)} />
      </section>
    </>
  );
}
