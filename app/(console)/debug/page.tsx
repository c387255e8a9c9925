import type { Metadata } from "next";
import { DiagnosisView } from "@/components/diagnosis-view";
import { AppFilter } from "@/components/app-filter";
import { FilterButtons, FilterField } from "@/components/filter-field";
import { ErrorNotice } from "@/components/form-status";
import { requireConsoleSession } from "@/lib/auth/session";
import { applicationChoices, scopeOfFilter } from "@/lib/console/apps";
import { getLatchkey } from "@/lib/server/latchkey";
import type { Diagnosis } from "@/lib/sessions/diagnose";
import { isSessionError } from "@/lib/sessions/errors";
import { TokenForm } from "./_components/token-form";

export const metadata: Metadata = { title: "Debugger" };

function first(value: string | string[] | undefined): string | undefined {
  return (Array.isArray(value) ? value[0] : value)?.trim() || undefined;
}

/** Why can't this person sign in? A token (posted), a session id or a user (in the URL, so links work). */
export default async function DebugPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireConsoleSession(["ADMIN", "SUPPORT"]);
  const params = await searchParams;
  const sessionId = first(params.sessionId);
  const user = first(params.user);
  const latchkey = getLatchkey();
  const choices = await applicationChoices(latchkey);
  const app = first(params.app);
  let diagnosis: Diagnosis | null = null;
  let error: string | null = null;
  if (sessionId || user) {
    try {
      diagnosis = await latchkey.engine.app(scopeOfFilter(app, choices)).diagnose(sessionId ? { sessionId } : { user });
    } catch (caught) {
      if (!isSessionError(caught)) throw caught;
      error = caught.message;
    }
  }
  return (
    <section className="space-y-4">
      <div>
        <h1 className="text-xl font-semibold">Debugger</h1>
        <p className="text-sm text-slate-600">
          Why is a token refused, who ended a session, why can&apos;t someone sign in: a verdict in plain words, with the evidence.
        </p>
      </div>
      <TokenForm />
      <form method="get" className="grid grid-cols-1 gap-3 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-3" aria-label="Diagnose a session or user">
        <AppFilter choices={choices} value={app} />
        <FilterField label="Session id" name="sessionId" value={sessionId} />
        <FilterField label="User (email or id)" name="user" value={sessionId ? undefined : user} />
        <FilterButtons clearHref="/debug" submitLabel="Diagnose" />
      </form>
      <ErrorNotice error={error} />
      {diagnosis ? <DiagnosisView diagnosis={diagnosis} /> : null}
    </section>
  );
}
