import Link from "next/link";
import type { ReactNode } from "react";
import { SignOutButton } from "@/components/sign-out-button";
import { requireConsoleSession } from "@/lib/auth/session";

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const session = await requireConsoleSession();
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-7xl flex-wrap items-center justify-between gap-3 px-4 py-3">
          <nav className="flex items-center gap-6">
            <Link href="/sessions" className="font-semibold">
              Latchkey
            </Link>
            <Link href="/sessions" className="text-sm text-slate-700 hover:underline">
              Sessions
            </Link>
            {session.role === "ADMIN" ? (
              <Link href="/api-keys" className="text-sm text-slate-700 hover:underline">
                API keys
              </Link>
            ) : null}
            <Link href="/api-docs" className="text-sm text-slate-700 hover:underline">
              API
            </Link>
          </nav>
          <div className="flex items-center gap-3 text-sm text-slate-600">
            <span data-testid="signed-in-as">
              {session.email} · {session.role}
            </span>
            <SignOutButton />
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-7xl px-4 py-6">{children}</main>
    </div>
  );
}
