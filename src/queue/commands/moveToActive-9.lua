-- Takes the next job for a consumer with its lease in one step, body included: the only way a consumer takes work
-- (besides a job handed to it by enqueue while it waited), so a job is never active without its lease. First a job
-- handed to it that it has not read yet (leased to it already, by enqueue), else the job at the front of pending.
-- When there is none, the consumer is recorded as idle until its wait ends: enqueue hands jobs to the last one idle.
-- Input:
--   KEYS[1] pending   list of request ids
--   KEYS[2] active    list of request ids
--   KEYS[3] jobs      hash request id -> invocation JSON
--   KEYS[4] leases    zset request id -> lease deadline (ms)
--   KEYS[5] attempts  hash request id -> deliveries so far
--   KEYS[6] stalled   zset request id -> first seen active without a lease (ms)
--   KEYS[7] wake      list of wake-up markers for any consumer (one is dropped per job taken, so they track pending);
--                     the consumer's own list is KEYS[7] .. ':' .. ARGV[2]: jobs handed to it ("id attempt deadline body")
--   KEYS[8] idle      zset consumer id -> since when it is idle (ms): kept while it stays idle, so the order is
--                     the order in which consumers ran out of work, not that of their periodic waits
--   KEYS[9] idleUntil zset consumer id -> until when it waits (ms)
--   ARGV[1] visibility timeout (ms)
--   ARGV[2] the consumer's id
--   ARGV[3] how long it will wait for a wake-up if nothing is pending (ms); 0: it will not wait
-- Output:
--   {request id, invocation JSON, attempt, lease deadline ms}, or nil when there is nothing to take
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local own = KEYS[7] .. ':' .. ARGV[2]
while true do
  local handed = redis.call('LPOP', own)
  if not handed then
    break
  end
  local id, attempt, deadline = string.match(handed, '^(%S+) (%d+) (%d+) ')
  -- still its lease: not reclaimed or released meanwhile (the lease is gone then, and a later delivery counts higher)
  if id and redis.call('HGET', KEYS[5], id) == attempt and redis.call('ZSCORE', KEYS[4], id) then
    local job = redis.call('HGET', KEYS[3], id)
    if job then
      redis.call('ZREM', KEYS[8], ARGV[2])
      redis.call('ZREM', KEYS[9], ARGV[2])
      return {id, job, tonumber(attempt), tonumber(deadline)}
    end
  end
end
while true do
  local id = redis.call('LMOVE', KEYS[1], KEYS[2], 'LEFT', 'RIGHT')
  if not id then
    if tonumber(ARGV[3]) > 0 then
      redis.call('ZADD', KEYS[8], 'NX', now, ARGV[2])
      redis.call('ZADD', KEYS[9], now + tonumber(ARGV[3]), ARGV[2])
    end
    return false
  end
  local job = redis.call('HGET', KEYS[3], id)
  if job then
    local deadline = now + tonumber(ARGV[1])
    redis.call('ZADD', KEYS[4], deadline, id)
    redis.call('ZREM', KEYS[6], id)
    local attempt = redis.call('HINCRBY', KEYS[5], id, 1)
    redis.call('LPOP', KEYS[7])
    -- busy now: not idle (no job is handed to it until it is again)
    redis.call('ZREM', KEYS[8], ARGV[2])
    redis.call('ZREM', KEYS[9], ARGV[2])
    return {id, job, attempt, deadline}
  end
  -- an id without a body cannot be run: drop it and look at the next one
  redis.call('LREM', KEYS[2], -1, id)
end
