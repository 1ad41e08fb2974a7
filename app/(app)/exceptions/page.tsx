import type { Metadata } from "next";
import { guardPage } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Exceptions" };

export default async function ExceptionsPage() {
  await guardPage("/exceptions");
  return (
    <>
      <h1>Exceptions</h1>
    </>
  );
}
