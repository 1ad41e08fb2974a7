import type { ReactNode } from "react";
import type { ActionResult } from "@/lib/http/action-result";

// A message takes a line of its own in a .form-row.
const OWN_LINE = { flexBasis: "100%" } as const;

/**
 * What the form's last submission did: its error, announced at once, or what was done:
 * `success` as a status line, or `done` rendered as given (a secret shown once).
 */
export function FormStatus<T>({
  state,
  success,
  done,
}: {
  state: ActionResult<T> | null;
  success?: (data: T) => ReactNode;
  done?: (data: T) => ReactNode;
}) {
  if (!state) return null;
  if (!state.ok)
    return (
      <p className="alert error" role="alert" style={OWN_LINE}>
        {state.error}
      </p>
    );
  if (done) return done(state.data);
  if (!success) return null;
  return (
    <p className="alert success" role="status" style={OWN_LINE}>
      {success(state.data)}
    </p>
  );
}

/** The row under a table of inputs: its submit button and its status. */
export function FormFooter({ children }: { children: ReactNode }) {
  return (
    <div className="form-row" style={{ marginTop: "1rem" }}>
      {children}
    </div>
  );
}
