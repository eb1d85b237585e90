-- Takes the job at the front of pending and leases it in one step: the fast path when work is waiting.
-- Input:
--   KEYS[1] pending   list of request ids
--   KEYS[2] active    list of request ids
--   KEYS[3] jobs      hash request id -> invocation JSON
--   KEYS[4] leases    zset request id -> lease deadline (ms)
--   KEYS[5] attempts  hash request id -> deliveries so far
--   KEYS[6] stalled   zset request id -> first seen active without a lease (ms)
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
    return {id, job, attempt, deadline}
  end
  -- an id without a body cannot be run: drop it and look at the next one
  redis.call('LREM', KEYS[2], -1, id)
end
