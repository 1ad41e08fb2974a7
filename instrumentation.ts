/**
 * Runs once when a Next.js server process starts: open the database and apply migrations
 * before the first request, so a schema problem stops the start instead of failing requests.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // Before the first request: throttling and the audit log need each request's real peer.
  const { stampPeerAddresses } = await import("@/lib/server/peer-address");
  stampPeerAddresses();
  const { startServerProcess } = await import("@/lib/server/startup");
  await startServerProcess();
}
