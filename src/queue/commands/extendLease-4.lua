-- Extends the lease of a job while its consumer still works on it (the run, or its environment's re-init, takes
-- longer than one lease), so the reaper never hands a live job to a second consumer.
-- Input:
--   KEYS[1] active    list of request ids
--   KEYS[2] leases    zset request id -> lease deadline (ms)
--   KEYS[3] attempts  hash request id -> deliveries so far
--   KEYS[4] jobs      hash request id -> invocation JSON
--   ARGV[1] request id
--   ARGV[2] attempt of the lease being extended (the lease token)
--   ARGV[3] visibility timeout from now (ms)
-- Output:
--   the new lease deadline (ms)
--   -1  the lease was lost (it expired and was reclaimed, or the job was purged): the consumer should stop counting on it
if redis.call('HGET', KEYS[3], ARGV[1]) ~= ARGV[2] then
  return -1
end
if not redis.call('ZSCORE', KEYS[2], ARGV[1]) or redis.call('HEXISTS', KEYS[4], ARGV[1]) == 0 then
  return -1
end
local t = redis.call('TIME')
local deadline = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[3])
redis.call('ZADD', KEYS[2], 'XX', deadline, ARGV[1])
return deadline
