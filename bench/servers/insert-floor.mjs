// The floor for a sign-in: bare node:http and the same rows Latchkey writes for one (the user if
// new, the session, its audit event) in one transaction through the raw driver: on SQLite one
// better-sqlite3 transaction per request, on PostgreSQL one statement. No API key, no
// validation, no user-agent parsing: nothing a real service could leave out is done here.
// Usage: node bench/servers/insert-floor.mjs <DATABASE_URL> <port>
import { createHash, randomBytes } from "node:crypto";
import { createServer } from "node:http";
import Database from "better-sqlite3";
import pg from "pg";

const [url, port] = process.argv.slice(2);
const COLUMNS = ["id", "appId", "secretHash", "userId", "kind", "roles", "userAgent", "browser", "os", "deviceType", "metadata", "createdAt", "startedAt", "lastSeenAt", "authenticatedAt", "idleTimeoutSeconds", "idleExpiresAt", "absoluteExpiresAt", "familyId"];
const AUDIT = ["appId", "at", "type", "actorType", "actorId", "actorLabel", "sessionId", "userId", "details"];

function rows(userId, userAgent) {
  const id = randomBytes(16).toString("base64url");
  const now = new Date();
  const session = {
    id, appId: "default", secretHash: createHash("sha256").update(randomBytes(32)).digest("base64url"), userId, kind: "user", roles: "[]",
    userAgent: userAgent ?? null, browser: "Firefox", os: "Linux", deviceType: "desktop", metadata: "{}", createdAt: now, startedAt: now, lastSeenAt: now,
    authenticatedAt: now, idleTimeoutSeconds: 1800, idleExpiresAt: new Date(now.getTime() + 1_800_000), absoluteExpiresAt: new Date(now.getTime() + 2_592_000_000), familyId: id,
  };
  const audit = { appId: "default", at: now, type: "session.created", actorType: "api_key", actorId: "floor", actorLabel: "floor", sessionId: id, userId, details: '{"kind":"user"}' };
  return { session, audit, now };
}

let write;
if (url.startsWith("file:")) {
  const db = new Database(url.slice(5), { fileMustExist: true });
  const ms = (value) => (value instanceof Date ? value.getTime() : value);
  const user = db.prepare('INSERT INTO "User" ("appId", "id", "createdAt", "updatedAt") VALUES (?, ?, ?, ?) ON CONFLICT ("appId", "id") DO NOTHING');
  const session = db.prepare(`INSERT INTO "Session" (${COLUMNS.map((c) => `"${c}"`).join(", ")}) VALUES (${COLUMNS.map(() => "?").join(", ")})`);
  const audit = db.prepare(`INSERT INTO "AuditEvent" (${AUDIT.map((c) => `"${c}"`).join(", ")}) VALUES (${AUDIT.map(() => "?").join(", ")})`);
  const transaction = db.transaction((made) => {
    user.run("default", made.session.userId, ms(made.now), ms(made.now));
    session.run(...COLUMNS.map((c) => ms(made.session[c])));
    audit.run(...AUDIT.map((c) => ms(made.audit[c])));
  });
  write = async (made) => transaction(made);
} else {
  const pool = new pg.Pool({ connectionString: url, max: 16 });
  const stamp = (value) => (value instanceof Date ? value.toISOString().replace("T", " ").replace("Z", "") : value);
  const n = COLUMNS.length;
  const text = `WITH u AS (INSERT INTO "User" ("appId", "id", "createdAt", "updatedAt") VALUES ($1, $2, $3::timestamp(3), $3::timestamp(3)) ON CONFLICT ("appId", "id") DO NOTHING),
    s AS (INSERT INTO "Session" (${COLUMNS.map((c) => `"${c}"`).join(", ")}) VALUES (${COLUMNS.map((_, i) => `$${i + 4}`).join(", ")}) RETURNING "id")
    INSERT INTO "AuditEvent" (${AUDIT.map((c) => `"${c}"`).join(", ")}) SELECT ${AUDIT.map((_, i) => `$${i + 4 + n}${AUDIT[i] === "at" ? "::timestamp(3)" : ""}`).join(", ")} FROM s`;
  write = (made) =>
    pool.query({ name: "floor", text, values: ["default", made.session.userId, stamp(made.now), ...COLUMNS.map((c) => stamp(made.session[c])), ...AUDIT.map((c) => stamp(made.audit[c]))] });
}

createServer((request, response) => {
  let body = "";
  request.on("data", (chunk) => (body += chunk));
  request.on("end", async () => {
    const { userId, userAgent } = JSON.parse(body);
    const made = rows(userId, userAgent);
    await write(made);
    const text = JSON.stringify({ token: `lks_${made.session.id}.secret`, session: { id: made.session.id } });
    response.writeHead(201, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    response.end(text);
  });
}).listen(Number(port), () => console.info(`insert floor listening on ${port}`));
