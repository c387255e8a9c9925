-- Device text search on the sessions page ("Kitchen", "Firefox", "iPhone") is a substring match
-- over a session's label, browser, OS and user agent, which no B-tree index serves. Those values
-- repeat across sessions, so their distinct values are kept in "SessionDeviceText" (kept in step
-- by the triggers below): a search scans that short list for the substring,
-- then finds the sessions holding a matching value through the indexes on the four columns.
-- A trigram full-text index of the sessions themselves would cost about a hundred index entries
-- per session written. (Not expressible in the Prisma schema, so this lives in the migrations
-- only; a later migration that rebuilds "Session" must recreate the triggers.)
CREATE TABLE "SessionDeviceText" (
    "field" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    PRIMARY KEY ("field", "value")
) WITHOUT ROWID;

INSERT OR IGNORE INTO "SessionDeviceText" ("field", "value")
    SELECT 'deviceLabel', "deviceLabel" FROM "Session" WHERE "deviceLabel" IS NOT NULL
    UNION SELECT 'browser', "browser" FROM "Session" WHERE "browser" IS NOT NULL
    UNION SELECT 'os', "os" FROM "Session" WHERE "os" IS NOT NULL
    UNION SELECT 'userAgent', "userAgent" FROM "Session" WHERE "userAgent" IS NOT NULL;

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

CREATE INDEX "Session_deviceLabel_idx" ON "Session"("deviceLabel");
CREATE INDEX "Session_browser_idx" ON "Session"("browser");
CREATE INDEX "Session_os_idx" ON "Session"("os");
CREATE INDEX "Session_userAgent_idx" ON "Session"("userAgent");
