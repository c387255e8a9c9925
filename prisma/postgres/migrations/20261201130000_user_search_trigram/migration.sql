-- The users search ("bob", "@shop.example", part of an id) is a case-insensitive substring match
-- (ILIKE '%text%') over the id, email and name, newest first. Searches whose matches are not among
-- the newest users read them through these trigram indexes, one per column so the planner can OR
-- them together (searchUsers in lib/db/user-search.ts). A user row is written on a person's first
-- sign-in and seldom after, so the entries cost little. (Not expressible in the Prisma schema, so
-- they live in the migrations only.) Building them holds writes to "User" (first sign-ins) for as
-- long as the build takes; on a large table, build them beforehand with CREATE INDEX CONCURRENTLY
-- under these names, and this migration leaves them be.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX IF NOT EXISTS "User_id_trgm_idx" ON "User" USING gin ("id" gin_trgm_ops);
CREATE INDEX IF NOT EXISTS "User_email_trgm_idx" ON "User" USING gin ("email" gin_trgm_ops);
CREATE INDEX IF NOT EXISTS "User_name_trgm_idx" ON "User" USING gin ("name" gin_trgm_ops);
