-- The audit log's filters, newest first, through indexes in that order: by type, (type, id) beside
-- (type, at), whose range by type and time SQLite reads a day through, but which read every event of
-- a common type and sorted them for the newest (0.8 s at 3,000,000 events on SQLite); by actor, a
-- label or an id, which read the whole log when few events matched.
-- Building them holds writes to "AuditEvent" (every sign-in, refresh and revocation writes one) for
-- as long as the builds take; on a large log, build the three beforehand with CREATE INDEX
-- CONCURRENTLY under these names, and this migration leaves them be.
CREATE INDEX IF NOT EXISTS "AuditEvent_type_id_idx" ON "AuditEvent"("type", "id");

CREATE INDEX IF NOT EXISTS "AuditEvent_actorLabel_id_idx" ON "AuditEvent"("actorLabel", "id");

CREATE INDEX IF NOT EXISTS "AuditEvent_actorId_id_idx" ON "AuditEvent"("actorId", "id");
