// GET /jobs/{id} — progress of a background job of this process (a revocation by filter, a policy's application), for ADMIN
import { consoleRouteSession } from "@/lib/auth/session";
import { getJob } from "@/lib/server/jobs";

export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { refused } = await consoleRouteSession(["ADMIN"], "Only admins follow background jobs.");
  if (refused) return refused;
  const job = getJob((await params).id);
  if (!job) return Response.json({ error: { code: "NOT_FOUND", message: "No such job in this instance (it may have run on another one)." } }, { status: 404 });
  return Response.json({ job }, { headers: { "cache-control": "no-store" } });
}
