import { describe, expect, it } from "vitest";
import { createRouteTable, loggedPath, requestIdOf, UNMATCHED_ROUTE } from "./request-trace";

const TOKEN = `lks_${"A".repeat(22)}.${"b".repeat(43)}`;

describe("requestIdOf", () => {
  it.each([
    ["abc-123", "abc-123"],
    ["A.b_c-9", "A.b_c-9"],
    ["x".repeat(64), "x".repeat(64)],
  ])("keeps a short, safe id %s", (incoming, kept) => {
    expect(requestIdOf(incoming)).toBe(kept);
  });

  it.each([
    ["too long", "x".repeat(65)],
    ["empty", ""],
    ["a space", "abc 123"],
    ["a line break (log injection)", "abc\n{\"level\":\"fatal\"}"],
    ["a quote", 'abc"def'],
    ["a slash", "a/b"],
    ["unicode", "ïd"],
    ["two headers", ["a", "b"]],
    ["none", undefined],
  ])("replaces an id with %s by a new one", (_what, incoming) => {
    const id = requestIdOf(incoming);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestIdOf(incoming)).not.toBe(id);
  });
});

describe("loggedPath", () => {
  it("drops the query string and the fragment", () => {
    expect(loggedPath(`/api/v1/sessions?token=${TOKEN}&x=1`)).toBe("/api/v1/sessions");
    expect(loggedPath("/sessions#top")).toBe("/sessions");
  });

  it("cuts out anything shaped like a token, of every kind", () => {
    for (const prefix of ["lks", "lko", "lka"]) {
      const token = `${prefix}_${"A".repeat(22)}.${"b".repeat(43)}`;
      const logged = loggedPath(`/api/v1/sessions/${token}/x`);
      expect(logged).toBe(`/api/v1/sessions/${prefix}_[redacted]/x`);
      expect(logged).not.toContain("A".repeat(22));
    }
  });

  it("keeps session ids and plain paths as they are, and bounds the length", () => {
    expect(loggedPath("/sessions/0f3a9c")).toBe("/sessions/0f3a9c");
    expect(loggedPath(`/${"a".repeat(1000)}`).length).toBeLessThanOrEqual(258);
  });
});

describe("createRouteTable", () => {
  const routeOf = createRouteTable(
    {
      staticRoutes: [{ page: "/" }, { page: "/sessions" }, { page: "/api/v1/sessions/resolve" }],
      dynamicRoutes: [
        { page: "/api/v1/sessions/[id]", regex: "^/api/v1/sessions/([^/]+?)(?:/)?$" },
        { page: "/sessions/[id]", regex: "^/sessions/([^/]+?)(?:/)?$" },
        { page: "/api/v1/[...path]", regex: "^/api/v1/(.+?)(?:/)?$" },
      ],
    },
    ["/metrics"],
  );

  it.each([
    ["/", "/"],
    ["/sessions?status=active", "/sessions"],
    ["/sessions/", "/sessions"],
    ["/sessions/abc123", "/sessions/[id]"],
    ["/sessions/abc123.rsc", "/sessions/[id]"],
    // A static route wins over the dynamic one that would also match.
    ["/api/v1/sessions/resolve", "/api/v1/sessions/resolve"],
    [`/api/v1/sessions/${TOKEN}`, "/api/v1/sessions/[id]"],
    ["/api/v1/nothing/here", "/api/v1/[...path]"],
    ["/_next/static/chunks/abc.js", "/_next/*"],
    ["/metrics", "/metrics"],
    ["/wp-admin.php", UNMATCHED_ROUTE],
    ["/sessions/a/b", UNMATCHED_ROUTE],
  ])("%s is %s", (path, template) => {
    expect(routeOf(path)).toBe(template);
  });

  it("without a manifest, knows only the routes it was given", () => {
    const bare = createRouteTable({}, ["/metrics"]);
    expect(bare("/metrics")).toBe("/metrics");
    expect(bare("/sessions")).toBe(UNMATCHED_ROUTE);
  });
});
