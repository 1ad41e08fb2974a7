import type { ActionFailure } from "@/lib/http/action-result";

/** An action's failure, with a way out when the exception changed since the page was loaded. */
export function ActionError({
  error,
  onReload,
}: {
  error: ActionFailure | null;
  onReload: () => void;
}) {
  if (!error) return null;
  return (
    <div className="alert error" role="alert">
      {error.error}
      {error.code === "stale" ? (
        <>
          {" "}
          <button type="button" onClick={onReload}>
            Reload the exception
          </button>
        </>
      ) : null}
    </div>
  );
}
