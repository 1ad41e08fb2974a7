"use client";

import { useActionState, useState, useTransition } from "react";
import type { ActionResult } from "@/lib/http/action-result";
import { changeRoleAction, createUserAction, setActiveAction } from "./actions";

export function CreateUserForm({ roles }: { roles: string[] }) {
  const [state, action, pending] = useActionState(createUserAction, null);
  return (
    <form action={action} className="form-row">
      <label className="field">
        Email
        <input name="email" type="email" required maxLength={254} />
      </label>
      <label className="field">
        Name
        <input name="name" maxLength={100} />
      </label>
      <label className="field">
        Role
        <select name="role" required defaultValue="operations">
          {roles.map((role) => (
            <option key={role} value={role}>
              {role}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        Password (blank: generate)
        <input
          name="password"
          type="password"
          autoComplete="new-password"
          minLength={12}
          maxLength={128}
        />
      </label>
      <button className="primary" type="submit" disabled={pending}>
        {pending ? "Adding…" : "Add user"}
      </button>
      {state && !state.ok ? (
        <p className="alert error" role="alert" style={{ flexBasis: "100%" }}>
          {state.error}
        </p>
      ) : null}
      {state?.ok ? (
        <div className="alert success" role="status" style={{ flexBasis: "100%" }}>
          {state.data.email} added.
          {state.data.password ? (
            <>
              {" "}
              Their password, shown once:{" "}
              <span className="secret" data-testid="new-user-password">
                {state.data.password}
              </span>
            </>
          ) : null}
        </div>
      ) : null}
    </form>
  );
}

function useFormAction(action: (form: FormData) => Promise<ActionResult>) {
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const run = (fields: Record<string, string>) => {
    const form = new FormData();
    for (const [key, value] of Object.entries(fields)) form.set(key, value);
    startTransition(async () => {
      const result = await action(form);
      setError(result.ok ? null : result.error);
    });
  };
  return { pending, error, run };
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
  const { pending, error, run } = useFormAction(changeRoleAction);
  return (
    <>
      <select
        aria-label={`Role of ${email}`}
        value={role}
        disabled={disabled || pending}
        onChange={(e) => run({ id, role: e.target.value })}
      >
        {roles.map((r) => (
          <option key={r} value={r}>
            {r}
          </option>
        ))}
      </select>
      {error ? (
        <span role="alert" className="badge bad">
          {error}
        </span>
      ) : null}
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
  const { pending, error, run } = useFormAction(setActiveAction);
  return (
    <>
      <button
        type="button"
        className={active ? "danger" : undefined}
        disabled={pending}
        aria-label={`${active ? "Deactivate" : "Reactivate"} ${email}`}
        onClick={() => {
          if (active && !window.confirm(`Deactivate ${email}? Their sessions end at once.`)) return;
          run({ id, active: String(!active) });
        }}
      >
        {active ? "Deactivate" : "Reactivate"}
      </button>
      {error ? (
        <span role="alert" className="badge bad">
          {error}
        </span>
      ) : null}
    </>
  );
}
