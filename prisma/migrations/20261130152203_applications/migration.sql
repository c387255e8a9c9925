-- Applications: every session, user, API key, OAuth state, refusal and audit event belongs to one
-- application, and user ids are per application. The console is the application "console" (its
-- accounts and their sign-ins); everything else moves to "default". A session of a console
-- account that the console's own sign-in did not make (made through the API for the account's
-- id) is the default application's, for a user of that id there, never a console credential.
-- Both applications start with a policy of zeros: "not set yet", which the server replaces with
-- the environment's settings at its next start.
-- CreateTable
CREATE TABLE "Application" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    "disabledAt" DATETIME,
    "idleTimeoutSeconds" INTEGER NOT NULL,
    "absoluteTimeoutSeconds" INTEGER NOT NULL,
    "touchIntervalSeconds" INTEGER NOT NULL,
    "rotationGraceSeconds" INTEGER NOT NULL,
    "allowGuests" BOOLEAN NOT NULL DEFAULT true,
    "sessionLimit" INTEGER,
    "sessionLimitAction" TEXT NOT NULL DEFAULT 'END_LEAST_RECENTLY_USED'
);
CREATE UNIQUE INDEX "Application_name_key" ON "Application"("name");

INSERT INTO "Application" ("id", "name", "createdAt", "updatedAt", "idleTimeoutSeconds", "absoluteTimeoutSeconds", "touchIntervalSeconds", "rotationGraceSeconds")
VALUES ('console', 'console', CAST(unixepoch('subsec') * 1000 AS INTEGER), CAST(unixepoch('subsec') * 1000 AS INTEGER), 0, 0, 0, 0),
       ('default', 'default', CAST(unixepoch('subsec') * 1000 AS INTEGER), CAST(unixepoch('subsec') * 1000 AS INTEGER), 0, 0, 0, 0);

-- The sessions that console sign-ins made (marked "via" console or cli), and which application each old row goes to.
CREATE TEMP TABLE "ConsoleSession" ("id" TEXT PRIMARY KEY) WITHOUT ROWID;
INSERT INTO temp."ConsoleSession"
    SELECT s."id" FROM "Session" s JOIN "User" u ON u."id" = s."userId"
    WHERE u."consoleRole" IS NOT NULL AND json_valid(s."metadata") AND json_extract(s."metadata", '$.via') IN ('console', 'cli');

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_User" (
    "appId" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "email" TEXT,
    "name" TEXT,
    "passwordHash" TEXT,
    "consoleRole" TEXT,
    "mustChangePassword" BOOLEAN NOT NULL DEFAULT false,
    "disabledAt" DATETIME,
    "disabledReason" TEXT,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("appId", "id"),
    CONSTRAINT "User_appId_fkey" FOREIGN KEY ("appId") REFERENCES "Application" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
INSERT INTO "new_User" ("appId", "consoleRole", "createdAt", "disabledAt", "disabledReason", "email", "id", "mustChangePassword", "name", "passwordHash", "updatedAt")
    SELECT 'console', "consoleRole", "createdAt", "disabledAt", "disabledReason", "email", "id", "mustChangePassword", "name", "passwordHash", "updatedAt" FROM "User" WHERE "consoleRole" IS NOT NULL;
INSERT INTO "new_User" ("appId", "consoleRole", "createdAt", "disabledAt", "disabledReason", "email", "id", "mustChangePassword", "name", "passwordHash", "updatedAt")
    SELECT 'default', NULL, "createdAt", "disabledAt", "disabledReason", CASE WHEN "consoleRole" IS NULL THEN "email" END, "id", false, CASE WHEN "consoleRole" IS NULL THEN "name" END, NULL, "updatedAt" FROM "User"
    WHERE "consoleRole" IS NULL OR "id" IN (SELECT "userId" FROM "Session" WHERE "id" NOT IN (SELECT "id" FROM temp."ConsoleSession"));
DROP TABLE "User";
ALTER TABLE "new_User" RENAME TO "User";
CREATE INDEX "User_createdAt_idx" ON "User"("createdAt");
CREATE INDEX "User_appId_createdAt_idx" ON "User"("appId", "createdAt");
CREATE UNIQUE INDEX "User_appId_email_key" ON "User"("appId", "email");
CREATE TABLE "new_Session" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "appId" TEXT NOT NULL,
    "secretHash" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "tenantId" TEXT,
    "roles" TEXT NOT NULL,
    "deviceLabel" TEXT,
    "userAgent" TEXT,
    "browser" TEXT,
    "os" TEXT,
    "deviceType" TEXT,
    "ip" TEXT,
    "metadata" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "startedAt" DATETIME NOT NULL,
    "lastSeenAt" DATETIME NOT NULL,
    "authenticatedAt" DATETIME,
    "idleTimeoutSeconds" INTEGER NOT NULL,
    "idleExpiresAt" DATETIME NOT NULL,
    "absoluteExpiresAt" DATETIME NOT NULL,
    "revokedAt" DATETIME,
    "revokedReason" TEXT,
    "revokedBy" TEXT,
    "revokeNote" TEXT,
    "familyId" TEXT NOT NULL,
    "rotatedFromId" TEXT,
    "rotatedToId" TEXT,
    "guestUserId" TEXT,
    CONSTRAINT "Session_appId_userId_fkey" FOREIGN KEY ("appId", "userId") REFERENCES "User" ("appId", "id") ON DELETE RESTRICT ON UPDATE CASCADE
);
INSERT INTO "new_Session" ("absoluteExpiresAt", "appId", "authenticatedAt", "browser", "createdAt", "deviceLabel", "deviceType", "familyId", "guestUserId", "id", "idleExpiresAt", "idleTimeoutSeconds", "ip", "kind", "lastSeenAt", "metadata", "os", "revokeNote", "revokedAt", "revokedBy", "revokedReason", "roles", "rotatedFromId", "rotatedToId", "secretHash", "startedAt", "tenantId", "userAgent", "userId")
    SELECT "absoluteExpiresAt", CASE WHEN "id" IN (SELECT "id" FROM temp."ConsoleSession") THEN 'console' ELSE 'default' END, "authenticatedAt", "browser", "createdAt", "deviceLabel", "deviceType", "familyId", "guestUserId", "id", "idleExpiresAt", "idleTimeoutSeconds", "ip", "kind", "lastSeenAt", "metadata", "os", "revokeNote", "revokedAt", "revokedBy", "revokedReason", "roles", "rotatedFromId", "rotatedToId", "secretHash",
           (SELECT MIN(f."createdAt") FROM "Session" f WHERE f."familyId" = "Session"."familyId"), "tenantId", "userAgent", "userId"
    FROM "Session";
DROP TABLE "Session";
ALTER TABLE "new_Session" RENAME TO "Session";
CREATE INDEX "Session_appId_userId_live_idx" ON "Session"("appId", "userId", "revokedAt", "idleExpiresAt", "absoluteExpiresAt", "startedAt", "lastSeenAt", "kind");
CREATE INDEX "Session_appId_createdAt_id_idx" ON "Session"("appId", "createdAt", "id");
CREATE INDEX "Session_createdAt_id_idx" ON "Session"("createdAt", "id");
CREATE INDEX "Session_lastSeenAt_id_idx" ON "Session"("lastSeenAt", "id");
CREATE INDEX "Session_idleExpiresAt_id_idx" ON "Session"("idleExpiresAt", "id");
CREATE INDEX "Session_absoluteExpiresAt_id_idx" ON "Session"("absoluteExpiresAt", "id");
CREATE INDEX "Session_revokedAt_idx" ON "Session"("revokedAt");
CREATE INDEX "Session_familyId_idx" ON "Session"("familyId");
CREATE INDEX "Session_appId_tenantId_createdAt_idx" ON "Session"("appId", "tenantId", "createdAt");
CREATE INDEX "Session_ip_createdAt_idx" ON "Session"("ip", "createdAt");
-- Rebuilding "Session" dropped the device search's indexes and triggers (20261126163000_device_search).
CREATE INDEX "Session_deviceLabel_idx" ON "Session"("deviceLabel");
CREATE INDEX "Session_browser_idx" ON "Session"("browser");
CREATE INDEX "Session_os_idx" ON "Session"("os");
CREATE INDEX "Session_userAgent_idx" ON "Session"("userAgent");
CREATE TRIGGER "Session_deviceText_insert" AFTER INSERT ON "Session" BEGIN
    INSERT OR IGNORE INTO "SessionDeviceText" ("field", "value")
        SELECT 'deviceLabel', new."deviceLabel" WHERE new."deviceLabel" IS NOT NULL
        UNION ALL SELECT 'browser', new."browser" WHERE new."browser" IS NOT NULL
        UNION ALL SELECT 'os', new."os" WHERE new."os" IS NOT NULL
        UNION ALL SELECT 'userAgent', new."userAgent" WHERE new."userAgent" IS NOT NULL;
END;

CREATE TRIGGER "Session_deviceText_update" AFTER UPDATE OF "deviceLabel", "browser", "os", "userAgent" ON "Session" BEGIN
    INSERT OR IGNORE INTO "SessionDeviceText" ("field", "value")
        SELECT 'deviceLabel', new."deviceLabel" WHERE new."deviceLabel" IS NOT NULL
        UNION ALL SELECT 'browser', new."browser" WHERE new."browser" IS NOT NULL
        UNION ALL SELECT 'os', new."os" WHERE new."os" IS NOT NULL
        UNION ALL SELECT 'userAgent', new."userAgent" WHERE new."userAgent" IS NOT NULL;
    DELETE FROM "SessionDeviceText" WHERE "field" = 'deviceLabel' AND "value" = old."deviceLabel"
        AND NOT EXISTS (SELECT 1 FROM "Session" WHERE "deviceLabel" = old."deviceLabel");
    DELETE FROM "SessionDeviceText" WHERE "field" = 'browser' AND "value" = old."browser"
        AND NOT EXISTS (SELECT 1 FROM "Session" WHERE "browser" = old."browser");
    DELETE FROM "SessionDeviceText" WHERE "field" = 'os' AND "value" = old."os"
        AND NOT EXISTS (SELECT 1 FROM "Session" WHERE "os" = old."os");
    DELETE FROM "SessionDeviceText" WHERE "field" = 'userAgent' AND "value" = old."userAgent"
        AND NOT EXISTS (SELECT 1 FROM "Session" WHERE "userAgent" = old."userAgent");
END;

CREATE TRIGGER "Session_deviceText_delete" AFTER DELETE ON "Session" BEGIN
    DELETE FROM "SessionDeviceText" WHERE "field" = 'deviceLabel' AND "value" = old."deviceLabel"
        AND NOT EXISTS (SELECT 1 FROM "Session" WHERE "deviceLabel" = old."deviceLabel");
    DELETE FROM "SessionDeviceText" WHERE "field" = 'browser' AND "value" = old."browser"
        AND NOT EXISTS (SELECT 1 FROM "Session" WHERE "browser" = old."browser");
    DELETE FROM "SessionDeviceText" WHERE "field" = 'os' AND "value" = old."os"
        AND NOT EXISTS (SELECT 1 FROM "Session" WHERE "os" = old."os");
    DELETE FROM "SessionDeviceText" WHERE "field" = 'userAgent' AND "value" = old."userAgent"
        AND NOT EXISTS (SELECT 1 FROM "Session" WHERE "userAgent" = old."userAgent");
END;
CREATE TABLE "new_SweptSession" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "appId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "revokedReason" TEXT,
    "endedAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "sweptAt" DATETIME NOT NULL
);
INSERT INTO "new_SweptSession" ("appId", "createdAt", "endedAt", "id", "kind", "revokedReason", "status", "sweptAt", "userId")
    SELECT CASE WHEN "userId" IN (SELECT "id" FROM "User" WHERE "consoleRole" IS NOT NULL) AND "kind" = 'user' THEN 'console' ELSE 'default' END,
           "createdAt", "endedAt", "id", "kind", "revokedReason", "status", "sweptAt", "userId" FROM "SweptSession";
DROP TABLE "SweptSession";
ALTER TABLE "new_SweptSession" RENAME TO "SweptSession";
CREATE INDEX "SweptSession_appId_userId_idx" ON "SweptSession"("appId", "userId");
CREATE INDEX "SweptSession_sweptAt_idx" ON "SweptSession"("sweptAt");
CREATE TABLE "new_OAuthState" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "appId" TEXT NOT NULL,
    "secretHash" TEXT NOT NULL,
    "data" TEXT,
    "createdAt" DATETIME NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "consumedAt" DATETIME
);
INSERT INTO "new_OAuthState" ("appId", "consumedAt", "createdAt", "data", "expiresAt", "id", "secretHash") SELECT 'default', "consumedAt", "createdAt", "data", "expiresAt", "id", "secretHash" FROM "OAuthState";
DROP TABLE "OAuthState";
ALTER TABLE "new_OAuthState" RENAME TO "OAuthState";
CREATE INDEX "OAuthState_expiresAt_idx" ON "OAuthState"("expiresAt");
CREATE TABLE "new_AuditEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "appId" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "type" TEXT NOT NULL,
    "actorType" TEXT NOT NULL,
    "actorId" TEXT,
    "actorLabel" TEXT,
    "sessionId" TEXT,
    "userId" TEXT,
    "details" TEXT NOT NULL
);
-- An event about a session goes with the session; one about a console account, or the accounts
-- themselves, goes to the console; the rest to "default".
INSERT INTO "new_AuditEvent" ("actorId", "actorLabel", "actorType", "appId", "at", "details", "id", "sessionId", "type", "userId")
    SELECT "actorId", "actorLabel", "actorType",
           CASE
             WHEN "sessionId" IS NOT NULL THEN CASE WHEN "sessionId" IN (SELECT "id" FROM temp."ConsoleSession") THEN 'console' ELSE 'default' END
             WHEN "type" LIKE 'account.%' THEN 'console'
             WHEN "userId" IN (SELECT "id" FROM "User" WHERE "consoleRole" IS NOT NULL) THEN 'console'
             ELSE 'default'
           END,
           "at", "details", "id", "sessionId", "type", "userId" FROM "AuditEvent";
DROP TABLE "AuditEvent";
ALTER TABLE "new_AuditEvent" RENAME TO "AuditEvent";
CREATE INDEX "AuditEvent_at_idx" ON "AuditEvent"("at");
CREATE INDEX "AuditEvent_appId_id_idx" ON "AuditEvent"("appId", "id");
CREATE INDEX "AuditEvent_sessionId_idx" ON "AuditEvent"("sessionId");
CREATE INDEX "AuditEvent_appId_userId_at_idx" ON "AuditEvent"("appId", "userId", "at");
CREATE INDEX "AuditEvent_type_at_idx" ON "AuditEvent"("type", "at");
CREATE TABLE "new_Refusal" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "appId" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "reason" TEXT NOT NULL,
    "operation" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "sessionId" TEXT,
    "userId" TEXT,
    "revokedReason" TEXT,
    "ip" TEXT,
    "userAgent" TEXT
);
INSERT INTO "new_Refusal" ("appId", "at", "id", "ip", "operation", "reason", "revokedReason", "sessionId", "source", "userAgent", "userId")
    SELECT CASE WHEN "source" IN ('console', 'cli') THEN 'console' ELSE 'default' END, "at", "id", "ip", "operation", "reason", "revokedReason", "sessionId", "source", "userAgent", "userId" FROM "Refusal";
DROP TABLE "Refusal";
ALTER TABLE "new_Refusal" RENAME TO "Refusal";
CREATE INDEX "Refusal_at_idx" ON "Refusal"("at");
CREATE INDEX "Refusal_appId_at_idx" ON "Refusal"("appId", "at");
CREATE INDEX "Refusal_sessionId_at_idx" ON "Refusal"("sessionId", "at");
CREATE INDEX "Refusal_appId_userId_at_idx" ON "Refusal"("appId", "userId", "at");
CREATE TABLE "new_ApiKey" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "appId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "secretHash" TEXT NOT NULL,
    "scopes" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "createdBy" TEXT,
    "lastUsedAt" DATETIME,
    "revokedAt" DATETIME,
    CONSTRAINT "ApiKey_appId_fkey" FOREIGN KEY ("appId") REFERENCES "Application" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
INSERT INTO "new_ApiKey" ("appId", "createdAt", "createdBy", "id", "lastUsedAt", "name", "revokedAt", "scopes", "secretHash") SELECT 'default', "createdAt", "createdBy", "id", "lastUsedAt", "name", "revokedAt", "scopes", "secretHash" FROM "ApiKey";
DROP TABLE "ApiKey";
ALTER TABLE "new_ApiKey" RENAME TO "ApiKey";
CREATE INDEX "ApiKey_appId_createdAt_idx" ON "ApiKey"("appId", "createdAt");
DROP TABLE temp."ConsoleSession";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;


