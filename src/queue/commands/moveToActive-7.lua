-- Takes the job at the front of pending and leases it in one step, body included: the only way a consumer takes work
-- (after a blocking wait on the wake list when none was pending), so a job is never active without its lease.
-- Input:
--   KEYS[1] pending   list of request ids
--   KEYS[2] active    list of request ids
--   KEYS[3] jobs      hash request id -> invocation JSON
--   KEYS[4] leases    zset request id -> lease deadline (ms)
--   KEYS[5] attempts  hash request id -> deliveries so far
--   KEYS[6] stalled   zset request id -> first seen active without a lease (ms)
--   KEYS[7] wake      list of wake-up markers (one is dropped per job taken, so they track pending)
--   ARGV[1] visibility timeout (ms)
-- Output:
--   {request id, invocation JSON, attempt, lease deadline ms}, or nil when nothing is pending
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
while true do
  local id = redis.call('LMOVE', KEYS[1], KEYS[2], 'LEFT', 'RIGHT')
  if not id then
    return false
  end
  local job = redis.call('HGET', KEYS[3], id)
  if job then
    local deadline = now + tonumber(ARGV[1])
    redis.call('ZADD', KEYS[4], deadline, id)
    redis.call('ZREM', KEYS[6], id)
    local attempt = redis.call('HINCRBY', KEYS[5], id, 1)
    redis.call('LPOP', KEYS[7])
    return {id, job, attempt, deadline}
  end
  -- an id without a body cannot be run: drop it and look at the next one
  redis.call('LREM', KEYS[2], -1, id)
end
