-- Moderation: the MODERATOR role, sanctions (suspensions and bans), report
-- categories and resolutions, session revocation, admin TOTP, and an
-- append-only audit log.

-- AlterEnum
ALTER TYPE "Role" ADD VALUE 'MODERATOR' BEFORE 'ADMIN';

-- CreateEnum
CREATE TYPE "ReportCategory" AS ENUM ('SPAM', 'HARASSMENT', 'HATE', 'SEXUAL', 'VIOLENCE', 'SELF_HARM', 'OTHER');

-- CreateEnum
CREATE TYPE "SanctionKind" AS ENUM ('SUSPENSION', 'BAN');

-- AlterTable
ALTER TABLE "User" ADD COLUMN "suspendedUntil" TIMESTAMP(3),
ADD COLUMN "sessionsRevokedAt" TIMESTAMP(3),
ADD COLUMN "totpSecret" TEXT,
ADD COLUMN "totpEnabledAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "Report" ADD COLUMN "category" "ReportCategory" NOT NULL DEFAULT 'OTHER',
ADD COLUMN "messageBody" TEXT NOT NULL DEFAULT '',
ADD COLUMN "resolution" TEXT,
ADD COLUMN "resolutionNote" TEXT;

-- CreateTable
CREATE TABLE "Sanction" (
    "id" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "kind" "SanctionKind" NOT NULL,
    "reason" TEXT NOT NULL,
    "note" TEXT,
    "expiresAt" TIMESTAMP(3),
    "createdById" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "liftedAt" TIMESTAMP(3),
    "liftedById" UUID,
    "liftReason" TEXT,

    CONSTRAINT "Sanction_pkey" PRIMARY KEY ("id")
);

-- AlterTable
ALTER TABLE "AuditLog" DROP CONSTRAINT "AuditLog_actorId_fkey",
ADD COLUMN "actorRole" TEXT,
ADD COLUMN "before" JSONB,
ADD COLUMN "after" JSONB,
ADD COLUMN "ip" TEXT,
ADD COLUMN "userAgent" TEXT;

-- DropIndex
DROP INDEX "AuditLog_at_idx";

-- DropIndex
DROP INDEX "AuditLog_targetType_targetId_idx";

-- CreateIndex
CREATE INDEX "User_createdAt_id_idx" ON "User"("createdAt", "id");

-- CreateIndex
CREATE INDEX "User_lastSeenAt_idx" ON "User"("lastSeenAt");

-- CreateIndex
CREATE INDEX "User_role_status_idx" ON "User"("role", "status");

-- CreateIndex
CREATE INDEX "Report_messageId_idx" ON "Report"("messageId");

-- CreateIndex
CREATE UNIQUE INDEX "Report_reporterId_messageId_key" ON "Report"("reporterId", "messageId");

-- CreateIndex
CREATE INDEX "Sanction_userId_createdAt_idx" ON "Sanction"("userId", "createdAt");

-- CreateIndex
CREATE INDEX "AuditLog_at_id_idx" ON "AuditLog"("at", "id");

-- CreateIndex
CREATE INDEX "AuditLog_targetType_targetId_at_idx" ON "AuditLog"("targetType", "targetId", "at");

-- CreateIndex
CREATE INDEX "AuditLog_actorId_at_idx" ON "AuditLog"("actorId", "at");

-- CreateIndex
CREATE INDEX "AuditLog_action_at_idx" ON "AuditLog"("action", "at");

-- AddForeignKey
ALTER TABLE "Report" ADD CONSTRAINT "Report_resolvedById_fkey" FOREIGN KEY ("resolvedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Sanction" ADD CONSTRAINT "Sanction_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Sanction" ADD CONSTRAINT "Sanction_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Sanction" ADD CONSTRAINT "Sanction_liftedById_fkey" FOREIGN KEY ("liftedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- The audit log is append-only: no UPDATE, DELETE or TRUNCATE, whoever asks.
-- Triggers are not expressible in schema.prisma (the drift test compares
-- columns, constraints and indexes) and the core audit test proves the refusal.
CREATE FUNCTION "audit_log_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'AuditLog is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER "AuditLog_append_only"
  BEFORE UPDATE OR DELETE ON "AuditLog"
  FOR EACH ROW EXECUTE FUNCTION "audit_log_append_only"();

CREATE TRIGGER "AuditLog_no_truncate"
  BEFORE TRUNCATE ON "AuditLog"
  FOR EACH STATEMENT EXECUTE FUNCTION "audit_log_append_only"();
