import { redirect } from "next/navigation";
import { guardPage } from "@/lib/auth/session";

export default async function AdminPage() {
  await guardPage("/admin");
  redirect("/admin/users");
}
