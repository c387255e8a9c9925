-- The users search ("bob", "@shop.example", part of an id) is a case-insensitive substring match
-- (ILIKE '%text%') over the id, email and name, newest first. Searches whose matches are not among
-- the newest users read them through these trigram indexes, one per column so the planner can OR
-- them together (see searchPostgres in lib/db/user-repository.ts). A user row is written on a
-- person's first sign-in and seldom after, so the entries cost little. (Not expressible in the
-- Prisma schema, so they live in the migrations only.)
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX "User_id_trgm_idx" ON "User" USING gin ("id" gin_trgm_ops);
CREATE INDEX "User_email_trgm_idx" ON "User" USING gin ("email" gin_trgm_ops);
CREATE INDEX "User_name_trgm_idx" ON "User" USING gin ("name" gin_trgm_ops);
