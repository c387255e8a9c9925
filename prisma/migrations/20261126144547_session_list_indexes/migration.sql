-- DropIndex
DROP INDEX "Session_tenantId_idx";

-- DropIndex
DROP INDEX "Session_ip_idx";

-- CreateIndex
CREATE INDEX "Session_tenantId_createdAt_idx" ON "Session"("tenantId", "createdAt");

-- CreateIndex
CREATE INDEX "Session_ip_createdAt_idx" ON "Session"("ip", "createdAt");

