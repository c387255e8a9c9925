-- CreateTable
CREATE TABLE "Refusal" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "at" DATETIME NOT NULL,
    "reason" TEXT NOT NULL,
    "operation" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "sessionId" TEXT,
    "userId" TEXT,
    "revokedReason" TEXT,
    "ip" TEXT,
    "userAgent" TEXT
);

-- CreateIndex
CREATE INDEX "Refusal_at_idx" ON "Refusal"("at");

-- CreateIndex
CREATE INDEX "Refusal_sessionId_at_idx" ON "Refusal"("sessionId", "at");

-- CreateIndex
CREATE INDEX "Refusal_userId_at_idx" ON "Refusal"("userId", "at");

