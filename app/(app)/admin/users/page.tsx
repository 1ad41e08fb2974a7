import type { Metadata } from "next";
import { CardSection } from "@/components/ui/card-section";
import { getDb } from "@/db";
import { ROLES } from "@/db/schema";
import { AdminHeader } from "@/components/admin/admin-tabs";
import { guardPage } from "@/lib/auth/session";
import { listUsers } from "@/lib/auth/users";
import { ActiveToggle, CreateUserForm, RoleSelect } from "./client";
import { DateTime } from "@/components/ui/date-time";
import { DataTable } from "@/components/table/data-table";

export const metadata: Metadata = { title: "Users" };

export default async function UsersPage() {
  const me = await guardPage("/admin/users");
  const users = await listUsers(await getDb());
  return (
    <>
      <AdminHeader current="/admin/users" />
      <CardSection id="new-user" title="Add a user">
        <CreateUserForm roles={[...ROLES]} />
      </CardSection>
      <CardSection id="users" title="Users">
        <DataTable
          label="Users"
          testId="users-table"
          rows={users}
          rowAttributes={(user) => ({ "data-email": user.email })}
          rowActions={(user) =>
            user.id === me.id ? (
              <span className="muted">you</span>
            ) : (
              <ActiveToggle id={user.id} email={user.email} active={user.active} />
            )
          }
          columns={[
            { header: "Email", cell: (user) => user.email },
            { header: "Name", cell: (user) => user.name ?? "—" },
            {
              header: "Role",
              cell: (user) => (
                <RoleSelect
                  id={user.id}
                  email={user.email}
                  role={user.role}
                  roles={[...ROLES]}
                  disabled={user.id === me.id}
                />
              ),
            },
            {
              header: "Status",
              cell: (user) =>
                user.active ? (
                  <span className="badge ok">active</span>
                ) : (
                  <span className="badge bad">deactivated</span>
                ),
            },
            { header: "Created", cell: (user) => <DateTime value={user.createdAt} /> },
          ]}
        />
      </CardSection>
    </>
  );
}
