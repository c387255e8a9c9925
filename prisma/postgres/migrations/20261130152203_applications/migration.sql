-- Applications: every session, user, API key, OAuth state, refusal and audit event belongs to one
-- application, and user ids are per application. The console is the application "console" (its
-- accounts and their sign-ins); everything else moves to "default". A session of a console
-- account that the console's own sign-in did not make (made through the API for the account's
-- id) is the default application's, for a user of that id there, never a console credential.
-- Both applications start with a policy of zeros: "not set yet", which the server replaces with
-- the environment's settings at its next start.

-- CreateTable
CREATE TABLE "Application" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "disabledAt" TIMESTAMP(3),
    "idleTimeoutSeconds" INTEGER NOT NULL,
    "absoluteTimeoutSeconds" INTEGER NOT NULL,
    "touchIntervalSeconds" INTEGER NOT NULL,
    "rotationGraceSeconds" INTEGER NOT NULL,
    "allowGuests" BOOLEAN NOT NULL DEFAULT true,
    "sessionLimit" INTEGER,
    "sessionLimitAction" TEXT NOT NULL DEFAULT 'END_LEAST_RECENTLY_USED',

    CONSTRAINT "Application_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "Application_name_key" ON "Application"("name");

INSERT INTO "Application" ("id", "name", "createdAt", "updatedAt", "idleTimeoutSeconds", "absoluteTimeoutSeconds", "touchIntervalSeconds", "rotationGraceSeconds")
VALUES ('console', 'console', now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC', 0, 0, 0, 0),
       ('default', 'default', now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC', 0, 0, 0, 0);

-- The sessions that console sign-ins made (marked "via" console or cli).
CREATE TEMP TABLE "ConsoleSession" ("id" TEXT PRIMARY KEY) ON COMMIT DROP;
INSERT INTO "ConsoleSession"
    SELECT s."id" FROM "Session" s JOIN "User" u ON u."id" = s."userId"
    WHERE u."consoleRole" IS NOT NULL AND (s."metadata" LIKE '%"via":"console"%' OR s."metadata" LIKE '%"via":"cli"%');

ALTER TABLE "Session" DROP CONSTRAINT "Session_userId_fkey";
DROP INDEX "User_email_key";
DROP INDEX "Session_userId_createdAt_idx";
DROP INDEX "Session_tenantId_createdAt_idx";
DROP INDEX "SweptSession_userId_idx";
DROP INDEX "AuditEvent_userId_at_idx";
DROP INDEX "Refusal_userId_at_idx";
DROP INDEX "ApiKey_createdAt_idx";

-- Users: console accounts in "console", everyone else in "default"; a console account whose id
-- an application also used gets a user of its own there.
ALTER TABLE "User" DROP CONSTRAINT "User_pkey", ADD COLUMN "appId" TEXT;
UPDATE "User" SET "appId" = CASE WHEN "consoleRole" IS NOT NULL THEN 'console' ELSE 'default' END;
ALTER TABLE "User" ALTER COLUMN "appId" SET NOT NULL, ADD CONSTRAINT "User_pkey" PRIMARY KEY ("appId", "id");
INSERT INTO "User" ("appId", "id", "mustChangePassword", "createdAt", "updatedAt")
    SELECT 'default', u."id", false, u."createdAt", u."updatedAt" FROM "User" u
    WHERE u."appId" = 'console' AND EXISTS (SELECT 1 FROM "Session" s WHERE s."userId" = u."id" AND s."id" NOT IN (SELECT "id" FROM "ConsoleSession"));

ALTER TABLE "Session" ADD COLUMN "appId" TEXT, ADD COLUMN "startedAt" TIMESTAMP(3);
UPDATE "Session" s SET
    "appId" = CASE WHEN s."id" IN (SELECT "id" FROM "ConsoleSession") THEN 'console' ELSE 'default' END,
    "startedAt" = f."startedAt"
    FROM (SELECT "familyId", MIN("createdAt") AS "startedAt" FROM "Session" GROUP BY "familyId") f
    WHERE f."familyId" = s."familyId";
ALTER TABLE "Session" ALTER COLUMN "appId" SET NOT NULL, ALTER COLUMN "startedAt" SET NOT NULL;

ALTER TABLE "SweptSession" ADD COLUMN "appId" TEXT;
UPDATE "SweptSession" SET "appId" = CASE WHEN "kind" = 'user' AND "userId" IN (SELECT "id" FROM "User" WHERE "appId" = 'console') THEN 'console' ELSE 'default' END;
ALTER TABLE "SweptSession" ALTER COLUMN "appId" SET NOT NULL;

ALTER TABLE "OAuthState" ADD COLUMN "appId" TEXT;
UPDATE "OAuthState" SET "appId" = 'default';
ALTER TABLE "OAuthState" ALTER COLUMN "appId" SET NOT NULL;

-- An event about a session goes with the session; one about a console account, or the accounts
-- themselves, goes to the console; the rest to "default".
ALTER TABLE "AuditEvent" ADD COLUMN "appId" TEXT;
UPDATE "AuditEvent" SET "appId" = CASE
    WHEN "sessionId" IS NOT NULL THEN CASE WHEN "sessionId" IN (SELECT "id" FROM "ConsoleSession") THEN 'console' ELSE 'default' END
    WHEN "type" LIKE 'account.%' THEN 'console'
    WHEN "userId" IN (SELECT "id" FROM "User" WHERE "appId" = 'console') THEN 'console'
    ELSE 'default'
  END;
ALTER TABLE "AuditEvent" ALTER COLUMN "appId" SET NOT NULL;

ALTER TABLE "Refusal" ADD COLUMN "appId" TEXT;
UPDATE "Refusal" SET "appId" = CASE WHEN "source" IN ('console', 'cli') THEN 'console' ELSE 'default' END;
ALTER TABLE "Refusal" ALTER COLUMN "appId" SET NOT NULL;

ALTER TABLE "ApiKey" ADD COLUMN "appId" TEXT;
UPDATE "ApiKey" SET "appId" = 'default';
ALTER TABLE "ApiKey" ALTER COLUMN "appId" SET NOT NULL;

-- CreateIndex
CREATE INDEX "User_appId_createdAt_idx" ON "User"("appId", "createdAt");
CREATE UNIQUE INDEX "User_appId_email_key" ON "User"("appId", "email");
CREATE INDEX "Session_appId_userId_live_idx" ON "Session"("appId", "userId", "revokedAt", "idleExpiresAt", "absoluteExpiresAt", "startedAt", "lastSeenAt", "kind");
CREATE INDEX "Session_appId_createdAt_id_idx" ON "Session"("appId", "createdAt", "id");
CREATE INDEX "Session_appId_tenantId_createdAt_idx" ON "Session"("appId", "tenantId", "createdAt");
CREATE INDEX "SweptSession_appId_userId_idx" ON "SweptSession"("appId", "userId");
CREATE INDEX "AuditEvent_appId_id_idx" ON "AuditEvent"("appId", "id");
CREATE INDEX "AuditEvent_appId_userId_at_idx" ON "AuditEvent"("appId", "userId", "at");
CREATE INDEX "Refusal_appId_at_idx" ON "Refusal"("appId", "at");
CREATE INDEX "Refusal_appId_userId_at_idx" ON "Refusal"("appId", "userId", "at");
CREATE INDEX "ApiKey_appId_createdAt_idx" ON "ApiKey"("appId", "createdAt");

-- AddForeignKey
ALTER TABLE "User" ADD CONSTRAINT "User_appId_fkey" FOREIGN KEY ("appId") REFERENCES "Application"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "Session" ADD CONSTRAINT "Session_appId_userId_fkey" FOREIGN KEY ("appId", "userId") REFERENCES "User"("appId", "id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "ApiKey" ADD CONSTRAINT "ApiKey_appId_fkey" FOREIGN KEY ("appId") REFERENCES "Application"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
