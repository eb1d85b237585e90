-- Finishes a job held under a lease: forgets it and, for a synchronous invocation, pushes its result on the
-- waiting router's reply list. Only the holder of the current lease can do either, so no other client — and no
-- earlier, reclaimed delivery — can answer in its place. The delivery's figures go to the stats hash in the same
-- step (whether or not the lease was still held: it ran, and each run counts, as Lambda counts each attempt).
-- Input:
--   KEYS[1] active    list of request ids
--   KEYS[2] jobs      hash request id -> invocation JSON
--   KEYS[3] leases    zset request id -> lease deadline (ms)
--   KEYS[4] attempts  hash request id -> deliveries so far
--   KEYS[5] stalled   zset request id -> first seen active without a lease (ms)
--   KEYS[6] replies   the router's reply list under this queue's hash tag (any key of the queue when there is no reply)
--   KEYS[7] stats     hash field -> integer (src/metrics/function-stats.ts)
--   KEYS[8] idle      zset consumer id -> since when it is idle (ms), see moveToActive: the consumer is idle from now
--   KEYS[9] idleUntil zset consumer id -> until when it waits (ms)   (it looks for its next job at once)
--   ARGV[1] request id
--   ARGV[2] attempt of the lease being acked (the lease token: a redelivery has a higher one)
--   ARGV[3] result JSON, or '' for none
--   ARGV[4] how long an unread reply list lives (ms)
--   ARGV[5] the consumer's id
--   ARGV[6] how long it stays idle without looking again (ms)
--   ARGV[7], ARGV[8]  a stats field and its increment; then more pairs (none: nothing counted)
-- Output:
--   1   done
--   -1  the lease was lost (reclaimed, redelivered or purged): nothing forgotten and nothing answered; the
--       delivery that holds the lease now answers
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
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
redis.call('ZREM', KEYS[5], ARGV[1])
if ARGV[3] ~= '' then
  redis.call('RPUSH', KEYS[6], ARGV[3])
  redis.call('PEXPIRE', KEYS[6], ARGV[4])
end
return 1
