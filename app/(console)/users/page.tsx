import type { Metadata } from "next";
import Link from "next/link";
import { formatExact } from "@/components/format";
import { SimpleTable } from "@/components/simple-table";
import { AppFilter } from "@/components/app-filter";
import { FilterDisclosure } from "@/components/filter-disclosure";
import { FocusResults } from "@/components/focus-results";
import { requireConsoleSession } from "@/lib/auth/session";
import { appNames, applicationChoices, scopeOfFilter, userHref } from "@/lib/console/apps";
import { getLatchkey } from "@/lib/server/latchkey";

export const metadata: Metadata = { title: "Users" };

export default async function UsersPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireConsoleSession(["ADMIN", "SUPPORT"]);
  const params = await searchParams;
  const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
  const query = first(params.q)?.slice(0, 320) ?? "";
  const latchkey = getLatchkey();
  const choices = await applicationChoices(latchkey);
  const scope = scopeOfFilter(first(params.app), choices);
  const names = appNames(choices);
  const users = await latchkey.users.searchUsers(query, new Date(), 50, scope);
  return (
    <section className="space-y-4">
      <h1 className="text-xl font-semibold">Users</h1>
      <FilterDisclosure active={(query ? 1 : 0) + (typeof scope === "string" ? 1 : 0)}>
        <form method="get" className="flex flex-wrap items-end gap-2" role="search" aria-label="Search users">
          <label className="text-sm">
            Email or user id
            <input name="q" defaultValue={query} className="mt-1 block w-72 max-w-full rounded border border-slate-300 px-2 py-1" />
          </label>
          <AppFilter choices={choices} value={typeof scope === "string" ? scope : undefined} />
          <button type="submit" className="rounded bg-slate-900 px-3 py-1.5 text-sm text-white">
            Search
          </button>
        </form>
      </FilterDisclosure>
      <FocusResults />
      <p id="results" tabIndex={-1} className="text-sm font-medium" data-testid="match-count">
        {users.length === 0 ? `No user matches “${query}”.` : `${users.length === 50 ? "The 50 most recent of the" : users.length.toLocaleString("en-US")} ${users.length === 1 ? "user" : "users"} matching${query ? ` “${query}”` : ""}.`}
      </p>
      {users.length === 0 ? null : (
        <SimpleTable label="Users" headings={["User", "Application", "Email", "Console role", "Live sessions", "Status", "First seen", ""]}>
          {users.map((user) => (
            <tr key={`${user.appId}/${user.id}`} data-user-id={user.id} data-app-id={user.appId}>
              <td className="px-3 py-2 font-mono text-xs">
                <Link href={userHref(user.appId, user.id)} className="hover:underline">
                  {user.id}
                </Link>
              </td>
              <td className="px-3 py-2">{names.get(user.appId) ?? user.appId}</td>
              <td className="px-3 py-2">{user.email ?? "—"}</td>
              <td className="px-3 py-2">{user.consoleRole ?? "—"}</td>
              <td className="px-3 py-2">{user.liveSessions.toLocaleString("en-US")}</td>
              <td className="px-3 py-2">{user.disabledAt ? "disabled" : "active"}</td>
              <td className="px-3 py-2">{formatExact(user.createdAt.toISOString())}</td>
              <td className="px-3 py-2">
                <Link href={`/debug?app=${encodeURIComponent(user.appId)}&user=${encodeURIComponent(user.id)}`} className="whitespace-nowrap underline">
                  Why can&apos;t they sign in?
                </Link>
              </td>
            </tr>
          ))}
        </SimpleTable>
      )}
    </section>
  );
}
