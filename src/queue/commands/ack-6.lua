-- Finishes a job: forgets it and, for a synchronous invocation, publishes its result to the waiting router.
-- Input:
--   KEYS[1] active    list of request ids
--   KEYS[2] jobs      hash request id -> invocation JSON
--   KEYS[3] leases    zset request id -> lease deadline (ms)
--   KEYS[4] attempts  hash request id -> deliveries so far
--   KEYS[5] stalled   zset request id -> first seen active without a lease (ms)
--   ARGV[1] request id
--   ARGV[2] attempt of the lease being acked (the lease token: a redelivery has a higher one)
--   ARGV[3] reply channel, or '' for none
--   ARGV[4] result JSON, or '' for none
-- Output:
--   1   done
--   -1  the lease was lost (reclaimed, redelivered or purged): nothing forgotten, but the result is still
--       published, since a caller may be waiting and the first answer wins
if ARGV[3] ~= '' and ARGV[4] ~= '' then
  redis.call('PUBLISH', ARGV[3], ARGV[4])
end
if redis.call('HGET', KEYS[4], ARGV[1]) ~= ARGV[2] then
  return -1
end
if redis.call('LREM', KEYS[1], -1, ARGV[1]) == 0 then
  return -1
end
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
redis.call('ZREM', KEYS[5], ARGV[1])
return 1
