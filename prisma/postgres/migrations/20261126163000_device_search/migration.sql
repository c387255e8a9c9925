-- Device text search on the sessions page ("Kitchen", "Firefox", "iPhone") is a case-insensitive
-- substring match (ILIKE '%text%') over the label, browser, OS and user agent, which no B-tree
-- index serves. Trigram GIN indexes do, one per column so the planner can OR them together.
-- (Not expressible in the Prisma schema, so they live in the migrations only.)
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX "Session_deviceLabel_trgm_idx" ON "Session" USING gin ("deviceLabel" gin_trgm_ops);
CREATE INDEX "Session_browser_trgm_idx" ON "Session" USING gin ("browser" gin_trgm_ops);
CREATE INDEX "Session_os_trgm_idx" ON "Session" USING gin ("os" gin_trgm_ops);
CREATE INDEX "Session_userAgent_trgm_idx" ON "Session" USING gin ("userAgent" gin_trgm_ops);
