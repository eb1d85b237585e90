-- Gives a job back: it goes to the front of pending at once, keeping its attempt count (the next delivery is attempt + 1).
-- Input:
--   KEYS[1] pending   list of request ids
--   KEYS[2] active    list of request ids
--   KEYS[3] leases    zset request id -> lease deadline (ms)
--   KEYS[4] attempts  hash request id -> deliveries so far
--   KEYS[5] stalled   zset request id -> first seen active without a lease (ms)
--   KEYS[6] wake      list of wake-up markers
--   ARGV[1] request id
--   ARGV[2] attempt of the lease being released (the lease token)
-- Output:
--   1   back in pending
--   -1  the lease was lost (reclaimed, redelivered or purged): nothing changed
if redis.call('HGET', KEYS[4], ARGV[1]) ~= ARGV[2] then
  return -1
end
if redis.call('LREM', KEYS[2], -1, ARGV[1]) == 0 then
  return -1
end
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[5], ARGV[1])
redis.call('LPUSH', KEYS[1], ARGV[1])
redis.call('RPUSH', KEYS[6], '1')
return 1
