import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getConsoleSession } from "@/lib/auth/session";
import { LoginForm } from "./_components/login-form";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage() {
  if (await getConsoleSession()) redirect("/");
  return (
    <main className="mx-auto flex min-h-screen max-w-sm flex-col justify-center px-4">
      <h1 className="mb-1 text-2xl font-semibold">Latchkey</h1>
      <p className="mb-6 text-sm text-slate-600">Sign in to the console.</p>
      <LoginForm />
    </main>
  );
}
