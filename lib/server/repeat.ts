/**
 * Runs `work` now and then every `intervalMs` in this server process, never two runs at once
 * (a slow run makes the next tick skip). Errors are logged with `failureMessage` and the next
 * tick tries again: a database restart must not stop background work for good. Answers the
 * function that stops it; the timer does not keep the process alive.
 */
export function repeatInBackground(
  work: () => Promise<unknown>,
  intervalMs: number,
  failureMessage: string,
): () => void {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await work();
    } catch (error) {
      console.error(failureMessage, error);
    } finally {
      running = false;
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
