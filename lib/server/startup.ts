import { getDb } from "@/db";

/** Everything a server process does once before serving. */
export async function startServerProcess(): Promise<void> {
  await getDb();
}
