-- Push notifications: each user's preview privacy, and per-device failure
-- bookkeeping (why a token was disabled; failures that kept it).

-- CreateEnum
CREATE TYPE "PushPreview" AS ENUM ('FULL', 'SENDER', 'ID_ONLY');

-- AlterTable
ALTER TABLE "User" ADD COLUMN "pushPreview" "PushPreview" NOT NULL DEFAULT 'FULL';

-- AlterTable
ALTER TABLE "Device" ADD COLUMN "disabledReason" TEXT,
ADD COLUMN "failureCount" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "lastFailureAt" TIMESTAMP(3),
ADD COLUMN "lastFailureReason" TEXT;
