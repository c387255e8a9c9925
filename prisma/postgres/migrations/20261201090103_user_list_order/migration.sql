-- The users list (newest first) reads them in the order of an index, ties included: by creation
-- time alone it read every user of the same instant (an import, a seed) and sorted them, to show 50.
-- DropIndex
DROP INDEX "User_createdAt_idx";

-- DropIndex
DROP INDEX "User_appId_createdAt_idx";

-- CreateIndex
CREATE INDEX "User_createdAt_appId_id_idx" ON "User"("createdAt", "appId", "id");

-- CreateIndex
CREATE INDEX "User_appId_createdAt_id_idx" ON "User"("appId", "createdAt", "id");
