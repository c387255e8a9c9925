-- The audit log's filters, newest first, through indexes in that order: by type, (type, id) in place
-- of (type, at), which read every event of a common type and sorted them (1.1 s at 3,000,000 events
-- on SQLite); by actor, a label or an id, which read the whole log when few events matched.
-- DropIndex
DROP INDEX "AuditEvent_type_at_idx";

-- CreateIndex
CREATE INDEX "AuditEvent_type_id_idx" ON "AuditEvent"("type", "id");

-- CreateIndex
CREATE INDEX "AuditEvent_actorLabel_id_idx" ON "AuditEvent"("actorLabel", "id");

-- CreateIndex
CREATE INDEX "AuditEvent_actorId_id_idx" ON "AuditEvent"("actorId", "id");

