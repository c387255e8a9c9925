// GET /sessions/export — the sessions of the current filter as CSV, streamed page by page
import { consoleRouteSession } from "@/lib/auth/session";
import { applicationChoices, scopeOfFilter } from "@/lib/console/apps";
import { parseSessionQuery } from "@/lib/console/session-query";
import { getLatchkey } from "@/lib/server/latchkey";
import { describeDevice } from "@/lib/sessions/user-agent";
import type { SessionView } from "@/lib/sessions/types";

const COLUMNS: [string, (session: SessionView) => string | null][] = [
  ["id", (s) => s.id],
  ["appId", (s) => s.appId],
  ["userId", (s) => s.userId],
  ["kind", (s) => s.kind],
  ["status", (s) => s.status],
  ["tenantId", (s) => s.tenantId],
  ["device", (s) => s.deviceLabel ?? describeDevice(s)],
  ["deviceType", (s) => s.deviceType],
  ["ip", (s) => s.ip],
  ["createdAt", (s) => s.createdAt.toISOString()],
  ["lastSeenAt", (s) => s.lastSeenAt.toISOString()],
  ["idleExpiresAt", (s) => s.idleExpiresAt.toISOString()],
  ["absoluteExpiresAt", (s) => s.absoluteExpiresAt.toISOString()],
  ["revokedAt", (s) => s.revokedAt?.toISOString() ?? null],
  ["revokedReason", (s) => s.revokedReason],
  ["revokedBy", (s) => s.revokedBy],
];

/** One CSV cell: quoted, and defused when a spreadsheet would read it as a formula. */
function cell(value: string | null): string {
  if (value === null) return "";
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return `"${safe.replace(/"/g, '""')}"`;
}

export async function GET(request: Request): Promise<Response> {
  const { refused } = await consoleRouteSession(["ADMIN", "SUPPORT"], "Your role does not allow exports.");
  if (refused) return refused;
  const { input, values, error } = parseSessionQuery(new URL(request.url).searchParams);
  if (error) return Response.json({ error: { code: "VALIDATION_FAILED", message: error } }, { status: 400 });
  const latchkey = getLatchkey();
  const engine = latchkey.engine.app(scopeOfFilter(values.app, await applicationChoices(latchkey)));
  const encoder = new TextEncoder();
  let cursor: string | undefined;
  let started = false;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(`${COLUMNS.map(([name]) => name).join(",")}\n`));
        return;
      }
      try {
        const page = await engine.listSessions({ ...input, limit: 500, cursor });
        const lines = page.items.map((session) => COLUMNS.map(([, read]) => cell(read(session))).join(",")).join("\n");
        if (lines) controller.enqueue(encoder.encode(`${lines}\n`));
        cursor = page.nextCursor ?? undefined;
        if (!cursor) controller.close();
      } catch (caught) {
        console.error("latchkey console: CSV export failed", caught);
        controller.error(caught);
      }
    },
  });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  return new Response(stream, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="latchkey-sessions-${stamp}.csv"`,
      "cache-control": "no-store",
    },
  });
}
