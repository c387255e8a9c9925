import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { AuditTimeline } from "@/components/audit-timeline";
import { formatExact } from "@/components/format";
import { SessionsTable } from "@/components/sessions-table";
import { requireConsoleSession } from "@/lib/auth/session";
import { decodeSegment } from "@/lib/console/apps";
import { userKey } from "@/lib/sessions/types";
import { toSessionRows } from "@/lib/console/session-rows";
import { getLatchkey } from "@/lib/server/latchkey";
import { bulkRevokeAction } from "../../../sessions/actions";
import { DisableUser, LogoutEverywhere } from "./_components/user-actions";

export const metadata: Metadata = { title: "User" };

const STATUS_ORDER = { active: 0, "idle-expired": 1, "absolute-expired": 2, revoked: 3 } as const;

export default async function UserPage({ params }: { params: Promise<{ app: string; id: string }> }) {
  const viewer = await requireConsoleSession(["ADMIN", "SUPPORT"]);
  const segments = await params;
  const appId = decodeSegment(segments.app);
  const id = decodeSegment(segments.id);
  if (appId === null || id === null) notFound();
  const latchkey = getLatchkey();
  const app = await latchkey.engine.getApplication(appId);
  const now = new Date();
  const user = app ? await latchkey.users.findUserSummary(app.id, id, now) : null;
  if (!app || !user) notFound();
  const engine = latchkey.engine.app(app.id);
  const [page, events] = await Promise.all([engine.listSessions({ userId: id, limit: 200 }), engine.listEvents({ userId: id, limit: 100 })]);
  const sessions = [...page.items].sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || b.lastSeenAt.getTime() - a.lastSeenAt.getTime());
  const rows = toSessionRows(sessions, new Map(user.email ? [[userKey(app.id, user.id), user.email]] : []), new Map([[app.id, app.name]]), viewer.sessionId, now);
  return (
    <section className="space-y-6">
      <div>
        <p className="text-sm">
          <Link href="/users" className="underline">
            Users
          </Link>{" "}
          ·{" "}
          <Link href={`/debug?app=${encodeURIComponent(app.id)}&user=${encodeURIComponent(user.id)}`} className="underline">
            Why can&apos;t they sign in? (debugger)
          </Link>
        </p>
        <h1 className="text-xl font-semibold">{user.email ?? user.id}</h1>
        <p className="text-sm text-slate-600">
          application <span data-testid="user-app">{app.name}</span> · id <span className="font-mono">{user.id}</span> · first seen {formatExact(user.createdAt.toISOString())}
          {user.consoleRole ? ` · console role ${user.consoleRole}` : ""} ·{" "}
          <span data-testid="user-status">{user.disabledAt ? `disabled ${formatExact(user.disabledAt.toISOString())}${user.disabledReason ? ` (${user.disabledReason})` : ""}` : "active"}</span>
        </p>
      </div>
      <div className="flex flex-wrap items-start gap-6 rounded-lg border border-slate-200 bg-white p-4">
        <LogoutEverywhere appId={app.id} userId={user.id} live={user.liveSessions} />
        {viewer.role === "ADMIN" ? <DisableUser appId={app.id} userId={user.id} disabled={user.disabledAt !== null} /> : null}
      </div>
      <div>
        <h2 className="mb-2 font-medium">
          Sessions ({user.liveSessions.toLocaleString("en-US")} live{page.nextCursor ? "; the 200 most recent shown" : ""})
        </h2>
        <SessionsTable rows={rows} bulkRevoke={bulkRevokeAction} label={`Sessions of ${user.email ?? user.id}`} />
      </div>
      <div>
        <h2 className="mb-2 font-medium">Audit trail</h2>
        <AuditTimeline events={events.items} empty="Nothing recorded for this user yet." emails={new Map(user.email ? [[userKey(app.id, user.id), user.email]] : [])} />
      </div>
    </section>
  );
}
