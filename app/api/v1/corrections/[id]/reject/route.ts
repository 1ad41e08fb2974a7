import { getDb } from "@/db";
import { decideCorrectionRoute } from "@/lib/corrections/api";

export const dynamic = "force-dynamic";

export const POST = decideCorrectionRoute("reject", getDb);
