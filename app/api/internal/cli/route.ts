import { getDb } from "@/db";
import { controlToken, handleCliRequest } from "@/lib/server/control";

export const dynamic = "force-dynamic";

/**
 * The operator CLI's way in while this process holds the embedded database: see
 * lib/server/control.ts. Not part of the public API; answers 404 on PostgreSQL.
 */
export async function POST(request: Request): Promise<Response> {
  return handleCliRequest(request, { token: controlToken(), getDb });
}
