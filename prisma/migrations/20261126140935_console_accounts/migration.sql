-- AlterTable
ALTER TABLE "Session" ADD COLUMN "authenticatedAt" DATETIME;

-- AlterTable
ALTER TABLE "User" ADD COLUMN "mustChangePassword" BOOLEAN NOT NULL DEFAULT false;
