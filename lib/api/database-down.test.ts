import { afterAll, describe, expect, it, vi } from "vitest";

// The database is unreachable (nothing listens on port 1): the real route handlers answer 503
// in the error shape, never a bare 500 or a stack trace.
vi.stubEnv("DATABASE_URL", "postgresql://postgres@127.0.0.1:1/latchkey");

const sessionsRoute = await import("@/app/api/v1/sessions/route");
const healthRoute = await import("@/app/api/health/route");

afterAll(() => {
  vi.unstubAllEnvs();
});

describe("with the database down", () => {
  it("an authenticated endpoint answers 503 SERVICE_UNAVAILABLE with Retry-After, and the request id to find its log line", async () => {
    // The server (lib/server/observe.ts) puts the request's settled id in this header before any route runs.
    const response = await sessionsRoute.GET(
      new Request("http://localhost/api/v1/sessions", { headers: { authorization: `Bearer lka_${"A".repeat(22)}.${"B".repeat(43)}`, "x-request-id": "req-503.check_1" } }),
    );
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    const body = (await response.json()) as { error: { code: string; message: string; requestId: string } };
    expect(body.error.code).toBe("SERVICE_UNAVAILABLE");
    expect(body.error.requestId).toBe("req-503.check_1");
    expect(JSON.stringify(body)).not.toMatch(/ECONNREFUSED|at .*:\d+|Prisma/);
  });

  it("health reports the database unreachable with 503", async () => {
    const response = await healthRoute.GET(new Request("http://localhost/api/health"));
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: "unavailable", database: "unreachable" });
  });
});
