// GET /sweep/status — progress of the sweep running in this process (ADMIN)
import { getConsoleSession } from "@/lib/auth/session";
import { currentSweep } from "@/lib/server/sweeper";

export async function GET(): Promise<Response> {
  const viewer = await getConsoleSession();
  if (!viewer || viewer.role !== "ADMIN") {
    return Response.json({ error: { code: "FORBIDDEN", message: "Only admins see sweeps." } }, { status: viewer ? 403 : 401 });
  }
  const job = currentSweep();
  return Response.json({ job }, { headers: { "cache-control": "no-store" } });
}
