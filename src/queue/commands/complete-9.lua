-- Finishes an asynchronous job held under a lease: forgets it and hands its outcome (the invocation and the run's
-- result) to the dispatcher on the version's outcomes list, in one step, so an event is never both gone from the
-- queue and missing from the outcomes. Only the holder of the current lease can do it. The delivery's figures go to
-- the stats hash in the same step (whether or not the lease was still held: it ran).
-- Input:
--   KEYS[1] active    list of request ids
--   KEYS[2] jobs      hash request id -> invocation JSON
--   KEYS[3] leases    zset request id -> lease deadline (ms)
--   KEYS[4] attempts  hash request id -> deliveries so far
--   KEYS[5] stalled   zset request id -> first seen active without a lease (ms)
--   KEYS[6] outcomes  list of outcome records (JSON: invocation, result, notRun) the dispatcher settles
--   KEYS[7] stats     hash field -> integer (src/metrics/function-stats.ts)
--   KEYS[8] idle      zset consumer id -> since when it is idle (ms), see moveToActive: the consumer is idle from now
--   KEYS[9] idleUntil zset consumer id -> until when it waits (ms)   (it looks for its next job at once)
--   ARGV[1] request id
--   ARGV[2] attempt of the lease being completed (the lease token)
--   ARGV[3] result JSON, or '' when the event was not run
--   ARGV[4] why it was not run ('EventAgeExceeded'), or ''
--   ARGV[5] the consumer's id
--   ARGV[6] how long it stays idle without looking again (ms)
--   ARGV[7], ARGV[8]  a stats field and its increment; then more pairs (none: nothing counted)
-- Output:
--   1   done
--   -1  the lease was lost (reclaimed, redelivered or purged): nothing changed; the delivery that holds it now completes it
for i = 7, #ARGV, 2 do
  redis.call('HINCRBY', KEYS[7], ARGV[i], ARGV[i + 1])
end
-- idle from here, before the caller hears: its next call is then sent to this (warm) consumer
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[8], now, ARGV[5])
redis.call('ZADD', KEYS[9], now + tonumber(ARGV[6]), ARGV[5])
if redis.call('HGET', KEYS[4], ARGV[1]) ~= ARGV[2] then
  return -1
end
if redis.call('LREM', KEYS[1], -1, ARGV[1]) == 0 then
  return -1
end
local body = redis.call('HGET', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
redis.call('ZREM', KEYS[5], ARGV[1])
if body then
  local record = { invocation = body }
  if ARGV[3] ~= '' then record.result = ARGV[3] end
  if ARGV[4] ~= '' then record.notRun = ARGV[4] end
  redis.call('RPUSH', KEYS[6], cjson.encode(record))
end
return 1
