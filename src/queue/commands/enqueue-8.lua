-- Queues a job, unless a job with the same request id is already queued or active. When a consumer is idle, the job
-- is handed straight to the one that became idle last: leased to it (as moveToActive would) and pushed, body
-- included, on its own wake list, where it is blocked in BLPOP — one round trip for it instead of a wake-up and a take,
-- and a trickle of calls keeps landing on the same warm environment while the others stay idle (and can be scaled
-- away), as Lambda reuses a warm environment. Otherwise the job waits at the back of pending, with a wake-up marker.
-- Input:
--   KEYS[1] pending   list of request ids
--   KEYS[2] jobs      hash request id -> invocation JSON
--   KEYS[3] wake      list of wake-up markers for any consumer blocked in BLPOP; a consumer's own list, where jobs
--                     are handed to it, is KEYS[3] .. ':' .. its id (same hash tag)
--   KEYS[4] idle      zset consumer id -> since when it is idle (ms): consumers waiting in BLPOP (see moveToActive)
--   KEYS[5] idleUntil zset consumer id -> until when it waits (ms): past it, it is gone or looks at pending itself
--   KEYS[6] active    list of request ids
--   KEYS[7] leases    zset request id -> lease deadline (ms)
--   KEYS[8] attempts  hash request id -> deliveries so far
--   ARGV[1] request id
--   ARGV[2] invocation JSON
--   ARGV[3] how long a consumer's own list lives unread (ms): its consumer may have died while idle (then the job
--           handed to it comes back when its lease ends)
-- Consumer ids end in '~' and the consumer's visibility timeout in ms: the lease a handed job gets.
-- Output:
--   1  queued (pending)
--   2  handed to an idle consumer
--   0  already there (queued or active): nothing changed, so enqueueing is idempotent per request id
if redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2]) == 0 then
  return 0
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
-- consumers past their wait are gone or about to look at pending on their own
local gone = redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', '(' .. now)
for _, c in ipairs(gone) do
  redis.call('ZREM', KEYS[4], c)
  redis.call('ZREM', KEYS[5], c)
end
local last = redis.call('ZRANGE', KEYS[4], -1, -1)
local consumer = last[1]
local visibility = consumer and tonumber(string.match(consumer, '~(%d+)$'))
if not visibility then
  redis.call('RPUSH', KEYS[1], ARGV[1])
  redis.call('RPUSH', KEYS[3], '1')
  return 1
end
redis.call('ZREM', KEYS[4], consumer)
redis.call('ZREM', KEYS[5], consumer)
local deadline = now + visibility
redis.call('RPUSH', KEYS[6], ARGV[1])
redis.call('ZADD', KEYS[7], deadline, ARGV[1])
local attempt = redis.call('HINCRBY', KEYS[8], ARGV[1], 1)
local own = KEYS[3] .. ':' .. consumer
redis.call('RPUSH', own, ARGV[1] .. ' ' .. attempt .. ' ' .. deadline .. ' ' .. ARGV[2])
redis.call('PEXPIRE', own, ARGV[3])
return 2
