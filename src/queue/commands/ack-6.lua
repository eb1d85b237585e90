-- Finishes a job held under a lease: forgets it and, for a synchronous invocation, pushes its result on the
-- waiting router's reply list. Only the holder of the current lease can do either, so no other client — and no
-- earlier, reclaimed delivery — can answer in its place.
-- Input:
--   KEYS[1] active    list of request ids
--   KEYS[2] jobs      hash request id -> invocation JSON
--   KEYS[3] leases    zset request id -> lease deadline (ms)
--   KEYS[4] attempts  hash request id -> deliveries so far
--   KEYS[5] stalled   zset request id -> first seen active without a lease (ms)
--   KEYS[6] replies   the router's reply list under this queue's hash tag (any key of the queue when there is no reply)
--   ARGV[1] request id
--   ARGV[2] attempt of the lease being acked (the lease token: a redelivery has a higher one)
--   ARGV[3] result JSON, or '' for none
--   ARGV[4] how long an unread reply list lives (ms)
-- Output:
--   1   done
--   -1  the lease was lost (reclaimed, redelivered or purged): nothing forgotten and nothing answered; the
--       delivery that holds the lease now answers
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
if ARGV[3] ~= '' then
  redis.call('RPUSH', KEYS[6], ARGV[3])
  redis.call('PEXPIRE', KEYS[6], ARGV[4])
end
return 1
