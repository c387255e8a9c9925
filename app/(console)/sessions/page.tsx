import type { Metadata } from "next";
import Link from "next/link";
import { FocusResults } from "@/components/focus-results";
import { ErrorNotice } from "@/components/form-status";
import { SessionsTable } from "@/components/sessions-table";
import { requireConsoleSession } from "@/lib/auth/session";
import { appNames, applicationChoices, scopeOfFilter } from "@/lib/console/apps";
import { parseSessionQuery, sessionQueryString } from "@/lib/console/session-query";
import { toSessionRows } from "@/lib/console/session-rows";
import { getLatchkey } from "@/lib/server/latchkey";
import { isSessionError } from "@/lib/sessions/errors";
import { bulkRevokeAction } from "./actions";
import { LogoutEverywhere } from "../users/[app]/[id]/_components/user-actions";
import { RevokeMatching } from "./_components/revoke-matching";
import { SessionFilters } from "./_components/session-filters";

export const metadata: Metadata = { title: "Sessions" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function SessionsPage({ searchParams }: { searchParams: SearchParams }) {
  const viewer = await requireConsoleSession(["ADMIN", "SUPPORT"]);
  const { input, values, error: queryError } = parseSessionQuery(await searchParams);
  const latchkey = getLatchkey();
  const choices = await applicationChoices(latchkey);
  const engine = latchkey.engine.app(scopeOfFilter(values.app, choices));

  let error = queryError;
  let page: Awaited<ReturnType<typeof engine.listSessions>> = { items: [], nextCursor: null };
  let matches: Awaited<ReturnType<typeof engine.countSessions>> | null = null;
  if (!error) {
    try {
      [page, matches] = await Promise.all([engine.listSessions({ ...input, limit: 50 }), engine.countSessions(input)]);
    } catch (caught) {
      if (!isSessionError(caught)) throw caught;
      error = caught.message;
    }
  }
  const emails = await latchkey.users.findEmails(page.items.map((item) => ({ appId: item.appId, userId: item.userId })));
  // Filtered to one person: log them out everywhere, recorded as such, rather than revoking rows.
  const named = values.user ?? values.userId;
  const people = named && !error ? await engine.findUsers(named) : [];
  const personSummary = people.length === 1 ? await latchkey.users.findUserSummary(people[0]!.appId, people[0]!.id, new Date()) : null;
  const rows = toSessionRows(page.items, emails, appNames(choices), viewer.sessionId, new Date());
  const { cursor: _cursor, ...view } = values;

  return (
    <section className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-xl font-semibold">Sessions</h1>
          <p className="text-sm text-slate-600">Every session, expired and revoked ones included. The view is in the URL: share or bookmark it.</p>
        </div>
        <a href={`/sessions/export${sessionQueryString(view)}`} className="rounded border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-100">
          Export CSV
        </a>
      </div>
      <SessionFilters values={values} apps={choices} />
      <ErrorNotice error={error} />
      <FocusResults />
      {matches ? (
        <p id="results" tabIndex={-1} className="text-sm font-medium" data-testid="match-count">
          {matches.more ? `More than ${matches.count.toLocaleString("en-US")} sessions match.` : `${matches.count.toLocaleString("en-US")} ${matches.count === 1 ? "session matches" : "sessions match"}.`}
        </p>
      ) : null}
      <div className="flex flex-wrap items-start gap-4">
        {personSummary && personSummary.liveSessions > 0 ? (
          <LogoutEverywhere appId={personSummary.appId} userId={personSummary.id} live={personSummary.liveSessions} label={`Log ${personSummary.email ?? personSummary.id} out everywhere`} />
        ) : null}
        {viewer.role === "ADMIN" && !error ? <RevokeMatching query={sessionQueryString(view).replace(/^\?/, "")} /> : null}
      </div>
      <SessionsTable rows={rows} bulkRevoke={bulkRevokeAction} />
      <nav aria-label="Pages" className="flex gap-4 text-sm">
        {values.cursor ? (
          <Link href={`/sessions${sessionQueryString(view)}`} className="underline">
            First page
          </Link>
        ) : null}
        {page.nextCursor ? (
          <Link href={`/sessions${sessionQueryString(values, { cursor: page.nextCursor })}`} className="underline">
            Next page
          </Link>
        ) : null}
      </nav>
    </section>
  );
}
