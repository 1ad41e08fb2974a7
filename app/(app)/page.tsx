import { redirect } from "next/navigation";
import { homeFor } from "@/lib/auth/navigation";
import { guardPage } from "@/lib/auth/session";

/** The root sends each role to the first area it may see. */
export default async function HomePage() {
  const user = await guardPage("/");
  redirect(homeFor(user.role));
}
