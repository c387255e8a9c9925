import type { Metadata } from "next";
import Link from "next/link";
import { formatExact } from "@/components/format";
import { SimpleTable } from "@/components/simple-table";
import { requireConsoleSession } from "@/lib/auth/session";
import { getLatchkey } from "@/lib/server/latchkey";

export const metadata: Metadata = { title: "Users" };

export default async function UsersPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireConsoleSession(["ADMIN", "SUPPORT"]);
  const raw = (await searchParams).q;
  const query = (Array.isArray(raw) ? raw[0] : raw)?.slice(0, 320) ?? "";
  const users = await getLatchkey().users.searchUsers(query, new Date());
  return (
    <section className="space-y-4">
      <h1 className="text-xl font-semibold">Users</h1>
      <form method="get" className="flex flex-wrap items-end gap-2" role="search">
        <label className="text-sm">
          Email or user id
          <input name="q" defaultValue={query} className="mt-1 block w-72 max-w-full rounded border border-slate-300 px-2 py-1" />
        </label>
        <button type="submit" className="rounded bg-slate-900 px-3 py-1.5 text-sm text-white">
          Search
        </button>
      </form>
      {users.length === 0 ? (
        <p className="rounded border border-dashed border-slate-300 bg-white p-6 text-center text-slate-600">No user matches “{query}”.</p>
      ) : (
        <SimpleTable headings={["User", "Email", "Console role", "Live sessions", "Status", "First seen"]}>
          {users.map((user) => (
            <tr key={user.id} data-user-id={user.id}>
              <td className="px-3 py-2 font-mono text-xs">
                <Link href={`/users/${encodeURIComponent(user.id)}`} className="hover:underline">
                  {user.id}
                </Link>
              </td>
              <td className="px-3 py-2">{user.email ?? "—"}</td>
              <td className="px-3 py-2">{user.consoleRole ?? "—"}</td>
              <td className="px-3 py-2">{user.liveSessions}</td>
              <td className="px-3 py-2">{user.disabledAt ? "disabled" : "active"}</td>
              <td className="px-3 py-2">{formatExact(user.createdAt.toISOString())}</td>
            </tr>
          ))}
        </SimpleTable>
      )}
    </section>
  );
}
