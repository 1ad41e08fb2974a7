/** An action's failure, with a way out when the exception changed since the page was loaded. */
export function ActionError({ error, onReload }: { error: string | null; onReload: () => void }) {
  if (!error) return null;
  const stale = /changed since you loaded it|reload/i.test(error);
  return (
    <div className="alert error" role="alert">
      {error}
      {stale ? (
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
