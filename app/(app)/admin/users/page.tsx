import type { Metadata } from "next";
import { getDb } from "@/db";
import { ROLES } from "@/db/schema";
import { AdminTabs } from "@/components/admin/admin-tabs";
import { guardPage } from "@/lib/auth/session";
import { listUsers } from "@/lib/auth/users";
import { ActiveToggle, CreateUserForm, RoleSelect } from "./client";
import { DateTime } from "@/components/ui/date-time";
import { TableRegion } from "@/components/table/table-region";

export const metadata: Metadata = { title: "Users" };

export default async function UsersPage() {
  const me = await guardPage("/admin/users");
  const users = await listUsers(await getDb());
  return (
    <>
      <h1>Admin</h1>
      <AdminTabs current="/admin/users" />
      <section className="card" aria-labelledby="new-user">
        <h2 id="new-user">Add a user</h2>
        <CreateUserForm roles={[...ROLES]} />
      </section>
      <section className="card" aria-labelledby="users">
        <h2 id="users">Users</h2>
        <TableRegion label="Users">
          <table className="data stack" data-testid="users-table">
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {users.map((user) => (
                <tr key={user.id} data-email={user.email}>
                  <td data-label="Email">{user.email}</td>
                  <td data-label="Name">{user.name ?? "—"}</td>
                  <td data-label="Role">
                    <RoleSelect
                      id={user.id}
                      email={user.email}
                      role={user.role}
                      roles={[...ROLES]}
                      disabled={user.id === me.id}
                    />
                  </td>
                  <td data-label="Status">
                    {user.active ? (
                      <span className="badge ok">active</span>
                    ) : (
                      <span className="badge bad">deactivated</span>
                    )}
                  </td>
                  <td data-label="Created">
                    <DateTime value={user.createdAt} />
                  </td>
                  <td>
                    {user.id === me.id ? (
                      <span className="muted">you</span>
                    ) : (
                      <ActiveToggle id={user.id} email={user.email} active={user.active} />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      </section>
    </>
  );
}
