-- Tombstones are looked up by session id only: the index by application and user was written for
-- every swept session and read by no query (a third of a large sweep's time on PostgreSQL).
DROP INDEX "SweptSession_appId_userId_idx";
