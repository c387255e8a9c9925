-- Device text search ("Kitchen", "Firefox", "iPhone") through the table of distinct device texts,
-- as on SQLite, in place of trigram indexes. A trigram index writes some hundred entries for a
-- user agent on every insert, and again on every update of the row (a revocation, a touch moving
-- an indexed time): log out everywhere, sweeps and sign-ins paid for it. The distinct values of
-- the label, browser, OS and user agent are kept in "SessionDeviceText" by the triggers below; a
-- search scans that short list for the substring, then finds the sessions holding a matching
-- value through a B-tree index on each column. (Not expressible in the Prisma schema, so this
-- lives in the migrations only.)
DROP INDEX IF EXISTS "Session_deviceLabel_trgm_idx";
DROP INDEX IF EXISTS "Session_browser_trgm_idx";
DROP INDEX IF EXISTS "Session_os_trgm_idx";
DROP INDEX IF EXISTS "Session_userAgent_trgm_idx";

CREATE INDEX "Session_deviceLabel_idx" ON "Session"("deviceLabel");
CREATE INDEX "Session_browser_idx" ON "Session"("browser");
CREATE INDEX "Session_os_idx" ON "Session"("os");
CREATE INDEX "Session_userAgent_idx" ON "Session"("userAgent");

CREATE TABLE "SessionDeviceText" (
    "field" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    PRIMARY KEY ("field", "value")
);

INSERT INTO "SessionDeviceText" ("field", "value")
    SELECT 'deviceLabel', "deviceLabel" FROM "Session" WHERE "deviceLabel" IS NOT NULL
    UNION SELECT 'browser', "browser" FROM "Session" WHERE "browser" IS NOT NULL
    UNION SELECT 'os', "os" FROM "Session" WHERE "os" IS NOT NULL
    UNION SELECT 'userAgent', "userAgent" FROM "Session" WHERE "userAgent" IS NOT NULL;

-- New values, once per statement (a multi-row insert adds each value once).
CREATE FUNCTION "session_device_text_add"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO "SessionDeviceText" ("field", "value")
        SELECT 'deviceLabel', "deviceLabel" FROM new_rows WHERE "deviceLabel" IS NOT NULL
        UNION SELECT 'browser', "browser" FROM new_rows WHERE "browser" IS NOT NULL
        UNION SELECT 'os', "os" FROM new_rows WHERE "os" IS NOT NULL
        UNION SELECT 'userAgent', "userAgent" FROM new_rows WHERE "userAgent" IS NOT NULL
        ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$;

-- A device text changed by an update (a label renamed, rarely anything else): this row's old
-- values let go of if no session holds them, its new ones added. A row trigger with a WHEN, so
-- the updates that change no device text (touches, revocations) do not run it at all.
CREATE FUNCTION "session_device_text_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO "SessionDeviceText" ("field", "value")
        SELECT f, v FROM (VALUES ('deviceLabel', NEW."deviceLabel"), ('browser', NEW."browser"), ('os', NEW."os"), ('userAgent', NEW."userAgent")) AS t(f, v)
        WHERE v IS NOT NULL
        ON CONFLICT DO NOTHING;
    IF OLD."deviceLabel" IS DISTINCT FROM NEW."deviceLabel" AND OLD."deviceLabel" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "Session" WHERE "deviceLabel" = OLD."deviceLabel") THEN
        DELETE FROM "SessionDeviceText" WHERE "field" = 'deviceLabel' AND "value" = OLD."deviceLabel";
    END IF;
    IF OLD."browser" IS DISTINCT FROM NEW."browser" AND OLD."browser" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "Session" WHERE "browser" = OLD."browser") THEN
        DELETE FROM "SessionDeviceText" WHERE "field" = 'browser' AND "value" = OLD."browser";
    END IF;
    IF OLD."os" IS DISTINCT FROM NEW."os" AND OLD."os" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "Session" WHERE "os" = OLD."os") THEN
        DELETE FROM "SessionDeviceText" WHERE "field" = 'os' AND "value" = OLD."os";
    END IF;
    IF OLD."userAgent" IS DISTINCT FROM NEW."userAgent" AND OLD."userAgent" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "Session" WHERE "userAgent" = OLD."userAgent") THEN
        DELETE FROM "SessionDeviceText" WHERE "field" = 'userAgent' AND "value" = OLD."userAgent";
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER "Session_deviceText_insert" AFTER INSERT ON "Session"
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "session_device_text_add"();
CREATE TRIGGER "Session_deviceText_update" AFTER UPDATE OF "deviceLabel", "browser", "os", "userAgent" ON "Session"
    FOR EACH ROW WHEN (OLD."deviceLabel" IS DISTINCT FROM NEW."deviceLabel" OR OLD."browser" IS DISTINCT FROM NEW."browser"
                       OR OLD."os" IS DISTINCT FROM NEW."os" OR OLD."userAgent" IS DISTINCT FROM NEW."userAgent")
    EXECUTE FUNCTION "session_device_text_change"();
-- No trigger on delete: sessions are deleted by sweeps only, in batches of thousands, and a sweep
-- lets go of the values no session holds any more once, when it ends (pruneDeviceTexts).
