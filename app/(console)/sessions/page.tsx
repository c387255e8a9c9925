import type { Metadata } from "next";
import Link from "next/link";
import { SessionsTable, type SessionRow } from "@/components/sessions-table";
import { requireConsoleSession } from "@/lib/auth/session";
import { getLatchkey } from "@/lib/server/latchkey";
import { describeDevice } from "@/lib/sessions/user-agent";
import { SESSION_STATUSES, type SessionStatus } from "@/lib/sessions/types";
import { isSessionError } from "@/lib/sessions/errors";

export const metadata: Metadata = { title: "Sessions" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

function single(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  return text && text.trim() !== "" ? text.trim() : undefined;
}

export default async function SessionsPage({ searchParams }: { searchParams: SearchParams }) {
  const viewer = await requireConsoleSession(["ADMIN", "SUPPORT"]);
  const params = await searchParams;
  const status = single(params.status);
  const user = single(params.user);
  const cursor = single(params.cursor);
  const { engine, users } = getLatchkey();

  let error: string | null = null;
  let page: Awaited<ReturnType<typeof engine.listSessions>> = { items: [], nextCursor: null };
  try {
    page = await engine.listSessions({
      status: status && (SESSION_STATUSES as readonly string[]).includes(status) ? [status as SessionStatus] : undefined,
      user,
      cursor,
      limit: 50,
    });
  } catch (caught) {
    if (!isSessionError(caught)) throw caught;
    error = caught.message;
  }
  const emails = await users.findEmails([...new Set(page.items.map((item) => item.userId))]);
  const now = new Date().toISOString();
  const rows: SessionRow[] = page.items.map((item) => ({
    id: item.id,
    user: emails.get(item.userId) ?? item.userId,
    current: item.id === viewer.sessionId,
    device: item.deviceLabel ?? describeDevice(item) ?? "Unknown device",
    deviceType: item.deviceType,
    ip: item.ip,
    status: item.status,
    revokedReason: item.revokedReason,
    revokedBy: item.revokedBy,
    createdAt: item.createdAt.toISOString(),
    lastSeenAt: item.lastSeenAt.toISOString(),
    expiresAt: (item.idleExpiresAt < item.absoluteExpiresAt ? item.idleExpiresAt : item.absoluteExpiresAt).toISOString(),
    now,
  }));
  const next = new URLSearchParams();
  if (status) next.set("status", status);
  if (user) next.set("user", user);
  if (page.nextCursor) next.set("cursor", page.nextCursor);

  return (
    <section className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-xl font-semibold">Sessions</h1>
          <p className="text-sm text-slate-600">Every session, expired and revoked ones included, newest first.</p>
        </div>
        <form method="get" className="flex flex-wrap items-end gap-2 text-sm">
          <label className="flex flex-col">
            Status
            <select name="status" defaultValue={status ?? ""} className="rounded border border-slate-300 bg-white px-2 py-1">
              <option value="">All</option>
              {SESSION_STATUSES.map((value) => (
                <option key={value} value={value}>
                  {value}
                </option>
              ))}
            </select>
          </label>
          <label className="flex flex-col">
            User (email or id)
            <input name="user" defaultValue={user ?? ""} className="rounded border border-slate-300 px-2 py-1" />
          </label>
          <button type="submit" className="rounded bg-slate-900 px-3 py-1.5 text-white">
            Filter
          </button>
        </form>
      </div>
      {error ? (
        <p role="alert" className="rounded border border-red-200 bg-red-50 p-3 text-sm text-red-800">
          {error}
        </p>
      ) : null}
      <SessionsTable rows={rows} />
      <div className="flex gap-4 text-sm">
        {cursor ? <Link href="/sessions" className="underline">First page</Link> : null}
        {page.nextCursor ? (
          <Link href={`/sessions?${next.toString()}`} className="underline">
            Next page
          </Link>
        ) : null}
      </div>
    </section>
  );
}
