-- Leases a job a consumer has just moved from pending to active with BLMOVE.
-- Input:
--   KEYS[1] active    list of request ids
--   KEYS[2] jobs      hash request id -> invocation JSON
--   KEYS[3] leases    zset request id -> lease deadline (ms)
--   KEYS[4] attempts  hash request id -> deliveries so far
--   KEYS[5] stalled   zset request id -> first seen active without a lease (ms)
--   ARGV[1] request id
--   ARGV[2] visibility timeout (ms)
-- Output:
--   {invocation JSON, attempt, lease deadline ms}
--   -1  the job is no longer this consumer's: not active (the reaper reclaimed it as stalled, or the queue was
--       purged), or active again under another consumer's lease (reclaimed, then taken and leased by another
--       consumer while this one was paused after its BLMOVE): skip it
-- The job was pushed on the right of active a moment ago, so LPOS searches from the right.
if not redis.call('LPOS', KEYS[1], ARGV[1], 'RANK', -1) then
  return -1
end
-- a job is leased once per move to active: a lease already there is another consumer's
if redis.call('ZSCORE', KEYS[3], ARGV[1]) then
  return -1
end
local job = redis.call('HGET', KEYS[2], ARGV[1])
if not job then
  redis.call('LREM', KEYS[1], -1, ARGV[1])
  return -1
end
local t = redis.call('TIME')
local deadline = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[2])
redis.call('ZADD', KEYS[3], deadline, ARGV[1])
redis.call('ZREM', KEYS[5], ARGV[1])
local attempt = redis.call('HINCRBY', KEYS[4], ARGV[1], 1)
return {job, attempt, deadline}
