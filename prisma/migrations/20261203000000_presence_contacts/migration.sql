-- Presence contacts (docs/presence.md, "Who may watch whom"): a member may be
-- watched by the people they share a conversation with only once they
-- participated in it — created it (or opened the DM) or sent a message there.

-- AlterTable
ALTER TABLE "Membership" ADD COLUMN "participatedAt" TIMESTAMP(3);

-- Backfill. Who sent messages is only known to Cassandra, so Postgres alone
-- decides here:
-- - creators of existing conversations participated (since they joined);
-- - both members of existing direct conversations count as participating:
--   before this rule a DM was how two people talked, and refusing every
--   existing DM partner's presence would break it for everyone at once;
-- - other group members start as not participating and become watchable
--   with their next message (fail closed: at worst their presence is hidden
--   until they speak again).
UPDATE "Membership" AS m
SET "participatedAt" = m."joinedAt"
FROM "Conversation" AS c
WHERE c.id = m."conversationId"
  AND (c."createdById" = m."userId" OR c.type = 'DIRECT');
