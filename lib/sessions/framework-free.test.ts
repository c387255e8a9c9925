import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// The engine must run anywhere: route handlers, scripts, tests. Guards against a stray import.
describe("lib/sessions", () => {
  it("imports nothing from Next.js, React, next-auth or the app, and reads no environment", () => {
    const dir = path.join(process.cwd(), "lib", "sessions");
    const files = readdirSync(dir).filter((file) => file.endsWith(".ts") && !file.endsWith(".test.ts"));
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const source = readFileSync(path.join(dir, file), "utf8");
      const imports = [...source.matchAll(/from\s+["']([^"']+)["']/g)].map((match) => match[1]!);
      for (const specifier of imports) {
        expect(specifier, `${file} imports ${specifier}`).not.toMatch(/^(next|react|react-dom|next-auth)(\/|$)|^@\/|^\.\.\//);
      }
      expect(source, `${file} reads process.env`).not.toMatch(/process\.env/);
    }
  });
});
