-- Queues a job at the back of pending, unless a job with the same request id is already queued or active.
-- Input:
--   KEYS[1] pending   list of request ids
--   KEYS[2] jobs      hash request id -> invocation JSON
--   KEYS[3] wake      list of wake-up markers: one per job made pending, for consumers blocked in BLPOP
--   ARGV[1] request id
--   ARGV[2] invocation JSON
-- Output:
--   1  queued
--   0  already there (queued or active): nothing changed, so enqueueing is idempotent per request id
if redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2]) == 0 then
  return 0
end
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('RPUSH', KEYS[3], '1')
return 1
