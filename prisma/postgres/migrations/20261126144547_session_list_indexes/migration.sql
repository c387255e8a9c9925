-- DropIndex
DROP INDEX "Session_tenantId_idx";

-- DropIndex
DROP INDEX "Session_ip_idx";

-- CreateIndex
CREATE INDEX "Session_tenantId_createdAt_idx" ON "Session"("tenantId", "createdAt");

-- CreateIndex
CREATE INDEX "Session_ip_createdAt_idx" ON "Session"("ip", "createdAt");


-- IP prefix filters ("10.1.2.") run as LIKE 'prefix%', which a plain index serves only under the
-- C collation; this operator-class index serves it under any collation. (Not expressible in the
-- Prisma schema, so it lives in this migration only.)
CREATE INDEX "Session_ip_pattern_idx" ON "Session"("ip" text_pattern_ops);
