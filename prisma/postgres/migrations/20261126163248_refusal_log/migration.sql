-- CreateTable
CREATE TABLE "Refusal" (
    "id" SERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "reason" TEXT NOT NULL,
    "operation" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "sessionId" TEXT,
    "userId" TEXT,
    "revokedReason" TEXT,
    "ip" TEXT,
    "userAgent" TEXT,

    CONSTRAINT "Refusal_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Refusal_at_idx" ON "Refusal"("at");

-- CreateIndex
CREATE INDEX "Refusal_sessionId_at_idx" ON "Refusal"("sessionId", "at");

-- CreateIndex
CREATE INDEX "Refusal_userId_at_idx" ON "Refusal"("userId", "at");

