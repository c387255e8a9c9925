import type { Metadata } from "next";
import { requireConsoleSession } from "@/lib/auth/session";
import { PasswordForm } from "./_components/password-form";

export const metadata: Metadata = { title: "Profile" };

export default async function ProfilePage() {
  const session = await requireConsoleSession(undefined, { passwordChangePage: true });
  return (
    <section className="space-y-4">
      <div>
        <h1 className="text-xl font-semibold">Profile</h1>
        <p className="text-sm text-slate-600">
          {session.email} · {session.role}
        </p>
      </div>
      {session.mustChangePassword ? (
        <p role="alert" className="rounded border border-amber-300 bg-amber-50 p-3 text-sm">
          You signed in with a one-time password. Choose your own password to continue.
        </p>
      ) : null}
      <PasswordForm />
    </section>
  );
}
