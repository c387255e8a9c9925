import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "./openapi";

// Route files that answer only 404s (unknown API paths) or belong to next-auth.
const NOT_API_OPERATIONS = new Set(["app/api/v1/route.ts", "app/api/v1/[...path]/route.ts", "app/api/auth/[...nextauth]/route.ts"]);

function routeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return routeFiles(full);
    return entry.name === "route.ts" ? [path.relative(process.cwd(), full)] : [];
  });
}

describe("the OpenAPI document", () => {
  const document = buildOpenApiDocument() as { paths: Record<string, Record<string, unknown>> };

  it("is a valid OpenAPI 3.1 document", async () => {
    const result = await new Validator().validate(document as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("describes every route handler under app/api and app/.well-known, and nothing that is not one", () => {
    const handled: string[] = [];
    for (const file of ["api", ".well-known"].flatMap((folder) => routeFiles(path.join(process.cwd(), "app", folder)))) {
      if (NOT_API_OPERATIONS.has(file)) continue;
      const route = `/${path.dirname(file).replace(/^app\//, "").replace(/\[(\w+)\]/g, "{$1}")}`;
      const methods = [...readFileSync(file, "utf8").matchAll(/export const (GET|POST|PUT|PATCH|DELETE)\b/g)].map((match) => match[1]!);
      expect(methods.length, file).toBeGreaterThan(0);
      for (const method of methods) {
        handled.push(`${method} ${route}`);
        expect(document.paths[route]?.[method.toLowerCase()], `${method} ${route} (${file}) is missing from the document`).toBeDefined();
      }
    }
    const documented = Object.entries(document.paths).flatMap(([route, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${route}`));
    expect(documented.sort()).toEqual(handled.sort());
    expect(handled.length).toBeGreaterThanOrEqual(16);
  });
});
