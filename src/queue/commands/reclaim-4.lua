-- Puts jobs whose consumer is gone back at the front of pending: those whose lease expired, and those sitting
-- in active with no lease at all (the consumer died between BLMOVE and lease). The second kind is reclaimed
-- only on a later pass than the one that first saw it, and at least ARGV[1] ms after, so a job that was
-- moved a moment ago and is about to be leased is never stolen (BullMQ's two-pass stalled check).
-- Input:
--   KEYS[1] pending   list of request ids
--   KEYS[2] active    list of request ids
--   KEYS[3] leases    zset request id -> lease deadline (ms)
--   KEYS[4] stalled   zset request id -> first seen active without a lease (ms)
--   ARGV[1] how long a job must stay active without a lease before it is reclaimed (ms)
-- Output:
--   {jobs reclaimed because their lease expired, jobs reclaimed because they were never leased}
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local grace = tonumber(ARGV[1])
local reclaimed = {}

-- 1. one pass over active, in the order the jobs were taken (so reclaimed jobs keep their FIFO order):
--    an expired lease is reclaimed at once; no lease at all is marked on first sight and reclaimed once
--    it has been marked long enough
local expiredCount = 0
local unleased = {}
for _, id in ipairs(redis.call('LRANGE', KEYS[2], 0, -1)) do
  local deadline = redis.call('ZSCORE', KEYS[3], id)
  if deadline then
    if tonumber(deadline) <= now then
      redis.call('ZREM', KEYS[3], id)
      redis.call('LREM', KEYS[2], 1, id)
      reclaimed[#reclaimed + 1] = id
      expiredCount = expiredCount + 1
    end
  else
    local seen = redis.call('ZSCORE', KEYS[4], id)
    if not seen then
      redis.call('ZADD', KEYS[4], now, id)
      unleased[id] = true
    elseif now - tonumber(seen) >= grace then
      redis.call('LREM', KEYS[2], 1, id)
      redis.call('ZREM', KEYS[4], id)
      reclaimed[#reclaimed + 1] = id
    else
      unleased[id] = true
    end
  end
end

-- 2. expired leases of jobs no longer active (acked or purged meanwhile) are just forgotten
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)

-- 3. forget marks of jobs that have since been leased, acked or released
for _, id in ipairs(redis.call('ZRANGE', KEYS[4], 0, -1)) do
  if not unleased[id] then
    redis.call('ZREM', KEYS[4], id)
  end
end

-- oldest first at the front of pending
for i = #reclaimed, 1, -1 do
  redis.call('LPUSH', KEYS[1], reclaimed[i])
end
return {expiredCount, #reclaimed - expiredCount}
