import type { ReactNode } from "react";
import { ConsoleNav } from "@/components/console-nav";
import { SignOutButton } from "@/components/sign-out-button";
import { requireConsoleSession } from "@/lib/auth/session";
import type { ConsoleRole } from "@/lib/db/user-repository";

const NAV: { href: string; label: string; roles: readonly ConsoleRole[] }[] = [
  { href: "/overview", label: "Overview", roles: ["ADMIN", "SUPPORT"] },
  { href: "/sessions", label: "Sessions", roles: ["ADMIN", "SUPPORT"] },
  { href: "/users", label: "Users", roles: ["ADMIN", "SUPPORT"] },
  { href: "/audit", label: "Audit log", roles: ["ADMIN", "SUPPORT"] },
  { href: "/debug", label: "Debugger", roles: ["ADMIN", "SUPPORT"] },
  { href: "/sweep", label: "Sweep", roles: ["ADMIN"] },
  { href: "/applications", label: "Applications", roles: ["ADMIN"] },
  { href: "/accounts", label: "Accounts", roles: ["ADMIN"] },
  { href: "/api-keys", label: "API keys", roles: ["ADMIN"] },
  { href: "/api-docs", label: "API", roles: ["ADMIN", "SUPPORT"] },
  { href: "/devices", label: "My devices", roles: ["ADMIN", "SUPPORT", "USER"] },
  { href: "/profile", label: "Profile", roles: ["ADMIN", "SUPPORT", "USER"] },
];

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  // Pages check roles (and a pending password change) themselves; the layout only needs a sign-in.
  const session = await requireConsoleSession(undefined, { passwordChangePage: true });
  return (
    <div className="min-h-screen">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:shadow">
        Skip to the main content
      </a>
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-7xl flex-wrap items-center justify-between gap-3 px-4 py-3">
          <ConsoleNav items={NAV.filter((item) => item.roles.includes(session.role)).map(({ href, label }) => ({ href, label }))} />
          <div className="flex min-w-0 items-center gap-3 text-sm text-slate-600">
            <span data-testid="signed-in-as" className="min-w-0 break-all">
              {session.email} · {session.role}
            </span>
            <SignOutButton />
          </div>
        </div>
      </header>
      <main id="main" tabIndex={-1} className="mx-auto max-w-7xl px-4 py-6 focus:outline-none">
        {children}
      </main>
    </div>
  );
}
