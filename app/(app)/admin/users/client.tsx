"use client";

import { ActionForm } from "@/components/forms/action-form";
import { Field, Options } from "@/components/forms/field";
import { RowActionButton, RowActionError, useRowAction } from "@/components/ui/row-action-button";
import { ShownOnce } from "@/components/ui/shown-once";
import { changeRoleAction, createUserAction, setActiveAction } from "./actions";

export function CreateUserForm({ roles }: { roles: string[] }) {
  return (
    <ActionForm
      action={createUserAction}
      submit="Add user"
      pendingLabel="Adding…"
      done={(added) => (
        <ShownOnce secret={added.password} testId="new-user-password">
          {added.email} added.{added.password ? " Their password, shown once:" : null}
        </ShownOnce>
      )}
    >
      <Field label="Email">
        <input name="email" type="email" required maxLength={254} />
      </Field>
      <Field label="Name">
        <input name="name" maxLength={100} />
      </Field>
      <Field label="Role">
        <select name="role" required defaultValue="operations">
          <Options values={roles} />
        </select>
      </Field>
      <Field label="Password (blank: generate)">
        <input
          name="password"
          type="password"
          autoComplete="new-password"
          minLength={12}
          maxLength={128}
        />
      </Field>
    </ActionForm>
  );
}

export function RoleSelect({
  id,
  email,
  role,
  roles,
  disabled,
}: {
  id: string;
  email: string;
  role: string;
  roles: string[];
  disabled: boolean;
}) {
  const { pending, error, run } = useRowAction(changeRoleAction);
  return (
    <>
      <select
        aria-label={`Role of ${email}`}
        value={role}
        disabled={disabled || pending}
        onChange={(e) => run({ id, role: e.target.value })}
      >
        <Options values={roles} />
      </select>
      <RowActionError error={error} />
    </>
  );
}

export function ActiveToggle({
  id,
  email,
  active,
}: {
  id: string;
  email: string;
  active: boolean;
}) {
  const label = active ? "Deactivate" : "Reactivate";
  return (
    <RowActionButton
      id={id}
      fields={{ active: String(!active) }}
      label={label}
      pendingLabel={label}
      ariaLabel={`${label} ${email}`}
      danger={active}
      confirm={active ? `Deactivate ${email}? Their sessions end at once.` : undefined}
      action={setActiveAction}
    />
  );
}
