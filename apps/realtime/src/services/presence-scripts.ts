// The presence Lua scripts, registered on an ioredis client with
// defineCommand (EVALSHA, falling back to EVAL after a Redis restart).
//
// APPLY changes one user's connections and, in the same atomic step,
// recomputes the status (the rule of computeStatus in presence-logic.ts) and
// PUBLISHes it when it changed. Publishing inside the script orders every
// user's events exactly as their changes happened, whichever nodes made them.
// A change also records when it happened (`_at`): the push worker reads it
// to tell "away for a while" from "just stepped away" (PUSH_AWAY_DELAY_S).
//
// The script reads lease keys it derives from the hash's fields, so presence
// keys must live on one Redis primary (standalone or Sentinel); see
// docs/presence.md for Redis Cluster.
import type { ChainableCommander, Redis } from "ioredis";

/** How long a user's hash (last seen time) outlives their last connection. */
export const OFFLINE_HASH_TTL_SECONDS = 7 * 24 * 3600;

const APPLY = `
local key = KEYS[1]
local leasePrefix, channel, userId, seenAt, offlineTtl, self, op =
  ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
if op == 'set' then
  for i = 8, #ARGV, 2 do redis.call('HSET', key, ARGV[i], ARGV[i + 1]) end
elseif op == 'del' then
  for i = 8, #ARGV do redis.call('HDEL', key, ARGV[i]) end
end
local h = redis.call('HGETALL', key)
local alive = {}
local online, away = false, false
for i = 1, #h, 2 do
  local f = h[i]
  if f ~= '_s' and f ~= '_seen' and f ~= '_at' then
    local inst = string.match(f, '^(.*)|')
    if inst then
      local a = alive[inst]
      if a == nil then
        a = redis.call('EXISTS', leasePrefix .. inst) == 1
        alive[inst] = a
      end
      if not a then
        redis.call('HDEL', key, f)
      elseif h[i + 1] == 'away' then
        away = true
      else
        online = true
      end
    end
  end
end
local selfAlive = alive[self]
if selfAlive == nil then selfAlive = redis.call('EXISTS', leasePrefix .. self) == 1 end
local status = 'offline'
if online then status = 'online' elseif away then status = 'away' end
local prev = redis.call('HGET', key, '_s') or 'offline'
local seen = redis.call('HGET', key, '_seen') or ''
local changed = 0
if status ~= prev then
  changed = 1
  if status == 'offline' then
    seen = seenAt
    redis.call('HSET', key, '_s', status, '_seen', seen, '_at', seenAt)
    redis.call('EXPIRE', key, offlineTtl)
  else
    redis.call('HSET', key, '_s', status, '_at', seenAt)
    -- only an offline hash (the one with _seen) has a TTL to remove
    if prev == 'offline' and seen ~= '' then redis.call('PERSIST', key) end
  end
  local shown = ''
  if status == 'offline' then shown = seen end
  redis.call('PUBLISH', channel, userId .. '|' .. status .. '|' .. shown)
end
return {changed, status, seen, selfAlive and 1 or 0}
`;

/**
 * Renew an instance's lease only if it still exists (SET XX): a missing lease
 * means Redis lost it (restart, flush) or it expired and may be being reaped,
 * so the node must re-register under a new instance instead. Returns
 * {renewed, size of the instance's connection set}.
 */
const RENEW = `
if redis.call('SET', KEYS[1], ARGV[2], 'XX', 'PX', ARGV[3]) then
  redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
  return {1, redis.call('SCARD', KEYS[3])}
end
return {0, 0}
`;

export type TApplyOp = "set" | "del" | "check";
/** [changed 0|1, status, lastSeenMs or "", own lease exists 0|1] */
export type TApplyReply = [number, "online" | "away" | "offline", string, number];

export interface TApplyArgs {
  userKey: string;
  leasePrefix: string;
  channel: string;
  userId: string;
  /** Used as lastSeenAt if this change makes the user offline. */
  seenAtMs: number;
  self: string;
  op: TApplyOp;
  /** set: field, status, field, status…; del: fields. */
  args: string[];
}

interface PresenceCommands {
  relayPresenceApply(key: string, ...argv: (string | number)[]): Promise<TApplyReply>;
  relayPresenceRenew(
    lease: string,
    instances: string,
    conns: string,
    instance: string,
    nowMs: number,
    ttlMs: number,
  ): Promise<[number, number]>;
}

type PipelineWithPresence = ChainableCommander & {
  relayPresenceApply(key: string, ...argv: (string | number)[]): ChainableCommander;
};

/** Register the scripts on a client (idempotent). */
export function definePresenceScripts(redis: Redis): Redis & PresenceCommands {
  const r = redis as Redis & Partial<PresenceCommands>;
  if (!r.relayPresenceApply) {
    redis.defineCommand("relayPresenceApply", { numberOfKeys: 1, lua: APPLY });
    redis.defineCommand("relayPresenceRenew", { numberOfKeys: 3, lua: RENEW });
  }
  return r as Redis & PresenceCommands;
}

function applyArgv(a: TApplyArgs): (string | number)[] {
  return [
    a.leasePrefix,
    a.channel,
    a.userId,
    Math.round(a.seenAtMs),
    OFFLINE_HASH_TTL_SECONDS,
    a.self,
    a.op,
    ...a.args,
  ];
}

export function runApply(redis: Redis & PresenceCommands, a: TApplyArgs): Promise<TApplyReply> {
  return redis.relayPresenceApply(a.userKey, ...applyArgv(a));
}

export function queueApply(pipeline: ChainableCommander, a: TApplyArgs): void {
  (pipeline as PipelineWithPresence).relayPresenceApply(a.userKey, ...applyArgv(a));
}
