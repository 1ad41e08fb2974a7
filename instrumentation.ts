/**
 * Runs once when a Next.js server process starts: open the database and apply migrations
 * before the first request, so a schema problem stops the start instead of failing requests.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startServerProcess } = await import("@/lib/server/startup");
  await startServerProcess();
}
