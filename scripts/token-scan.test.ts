import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { issueToken } from "../lib/sessions/tokens";
import { findTokens, scanLogDir } from "./token-scan.mjs";

const dir = mkdtempSync(path.join(tmpdir(), "latchkey-token-scan-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("token scan", () => {
  it("finds a real token of each kind, and nothing in a redacted path or a session id", () => {
    const tokens = (["session", "oauthState", "apiKey"] as const).map((kind) => issueToken(kind).token);
    expect(findTokens(`a ${tokens.join(" b ")} c ${tokens[0]}`)).toEqual(tokens);
    expect(findTokens('{"path":"/api/v1/sessions/lks_[redacted]","reqId":"abc"}')).toEqual([]);
  });

  it("reads every log file of the folder: a token in a server's request log fails the run", () => {
    const leaked = issueToken("session").token;
    writeFileSync(path.join(dir, "e2e-server-3100.log"), '{"level":"info","msg":"request","path":"/sessions"}\n');
    writeFileSync(path.join(dir, "server-3150-1.log"), `{"level":"info","msg":"request","path":"/x/${leaked}"}\n`);
    writeFileSync(path.join(dir, "notes.txt"), leaked);
    expect(scanLogDir(dir)).toEqual({ files: 2, leaks: [{ token: leaked, files: ["server-3150-1.log"] }] });
    expect(scanLogDir(path.join(dir, "missing"))).toEqual({ files: 0, leaks: [] });
  });
});
