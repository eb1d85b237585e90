-- Finishes an asynchronous job held under a lease: forgets it and hands its outcome (the invocation and the run's
-- result) to the dispatcher on the version's outcomes list, in one step, so an event is never both gone from the
-- queue and missing from the outcomes. Only the holder of the current lease can do it.
-- Input:
--   KEYS[1] active    list of request ids
--   KEYS[2] jobs      hash request id -> invocation JSON
--   KEYS[3] leases    zset request id -> lease deadline (ms)
--   KEYS[4] attempts  hash request id -> deliveries so far
--   KEYS[5] stalled   zset request id -> first seen active without a lease (ms)
--   KEYS[6] outcomes  list of outcome records (JSON: invocation, result, notRun) the dispatcher settles
--   ARGV[1] request id
--   ARGV[2] attempt of the lease being completed (the lease token)
--   ARGV[3] result JSON, or '' when the event was not run
--   ARGV[4] why it was not run ('EventAgeExceeded'), or ''
-- Output:
--   1   done
--   -1  the lease was lost (reclaimed, redelivered or purged): nothing changed; the delivery that holds it now completes it
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
