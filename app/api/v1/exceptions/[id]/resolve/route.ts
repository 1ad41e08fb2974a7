import { getDb } from "@/db";
import { exceptionActionRoute } from "@/lib/exceptions/api";

export const dynamic = "force-dynamic";

export const POST = exceptionActionRoute("resolve", getDb);
