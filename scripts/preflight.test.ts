import { spawnSync } from "node:child_process";
import { mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { onPath } from "./preflight.mjs";

// npm test's first step, run the way a newcomer's machine would: a PATH that lacks Chromium (and
// what else it lacks), answered in seconds with one message saying what to install.

const script = path.join(__dirname, "preflight.mjs");

function preflight(env: Record<string, string | undefined>) {
  const started = Date.now();
  const result = spawnSync(process.execPath, [script], { env: env as NodeJS.ProcessEnv, encoding: "utf8" });
  return { ...result, seconds: (Date.now() - started) / 1000 };
}

/** A PATH holding only links to these programs (node, and the tools that are to be found). */
function pathWith(programs: string[]): string {
  const dir = mkdtempSync(path.join(tmpdir(), "latchkey-preflight-"));
  for (const program of programs) {
    const found = program === "node" ? process.execPath : onPath(program);
    if (found) symlinkSync(found, path.join(dir, program));
  }
  return dir;
}

describe("npm test's preflight", () => {
  it("with a PATH lacking Chromium, stops within seconds with one message naming it and how to get it", () => {
    const run = preflight({ PATH: pathWith(["node", "redis-server", "jq"]), LATCHKEY_TEST_POSTGRES_URL: process.env.LATCHKEY_TEST_POSTGRES_URL });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^npm test cannot run on this machine yet; it lacks:\n {2}- Chromium: no `chromium` on PATH; install it with `apt-get install -y chromium`/);
    expect(run.stderr).not.toContain("redis-server:");
    expect(run.seconds).toBeLessThan(10);
  });

  it("names everything missing at once: Chromium, PostgreSQL out of reach, redis-server and jq", () => {
    const run = preflight({ PATH: pathWith(["node"]), LATCHKEY_TEST_POSTGRES_URL: "postgresql://postgres@127.0.0.1:1/postgres" });
    expect(run.status).toBe(1);
    for (const part of ["Chromium:", "PostgreSQL: not reachable at postgresql://…@127.0.0.1:1/postgres", "redis-server:", "jq:"]) expect(run.stderr).toContain(part);
    expect(run.stderr.trim().split("\n")).toHaveLength(6);
    expect(run.seconds).toBeLessThan(10);
  });

  it("passes on a machine with everything (this one), and a CHROMIUM_PATH that is not a program is named", () => {
    expect(preflight(process.env).status).toBe(0);
    const wrong = preflight({ ...process.env, CHROMIUM_PATH: "/nonexistent/chromium" });
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toContain("CHROMIUM_PATH=/nonexistent/chromium is not an executable");
  });
});
