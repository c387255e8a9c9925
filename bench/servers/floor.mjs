// The floor for HTTP resolve: bare node:http and one prepared better-sqlite3 lookup on
// Latchkey's own Session table, SHA-256 of the secret, the expiry checks. No API key, no
// validation, no cache: nothing a real service could leave out is done here.
// Usage: node bench/servers/floor.mjs <sqlite file> <port>
import { createHash, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import Database from "better-sqlite3";

const [file, port] = process.argv.slice(2);
const db = new Database(file, { readonly: true, fileMustExist: true });
const lookup = db.prepare('SELECT "secretHash", "idleExpiresAt", "absoluteExpiresAt", "revokedAt" FROM "Session" WHERE "id" = ?');

createServer((request, response) => {
  let body = "";
  request.on("data", (chunk) => (body += chunk));
  request.on("end", () => {
    const token = JSON.parse(body).token;
    const dot = token.indexOf(".");
    const row = lookup.get(token.slice(4, dot));
    const now = Date.now();
    let authenticated = false;
    if (row) {
      const presented = createHash("sha256").update(token.slice(dot + 1)).digest();
      const stored = Buffer.from(row.secretHash, "base64url");
      authenticated = stored.length === presented.length && timingSafeEqual(presented, stored) && row.revokedAt === null && row.idleExpiresAt > now && row.absoluteExpiresAt > now;
    }
    const text = JSON.stringify({ authenticated });
    response.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    response.end(text);
  });
}).listen(Number(port), () => console.info(`floor listening on ${port}`));
