// GET /jobs/{id} — progress of a background job of this process (a revocation by filter, a policy's application), for ADMIN
import { getConsoleSession } from "@/lib/auth/session";
import { getJob } from "@/lib/server/jobs";

export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const viewer = await getConsoleSession();
  if (!viewer || viewer.role !== "ADMIN") {
    return Response.json({ error: { code: "FORBIDDEN", message: "Only admins follow background jobs." } }, { status: viewer ? 403 : 401 });
  }
  const job = getJob((await params).id);
  if (!job) return Response.json({ error: { code: "NOT_FOUND", message: "No such job in this instance (it may have run on another one)." } }, { status: 404 });
  return Response.json({ job }, { headers: { "cache-control": "no-store" } });
}
