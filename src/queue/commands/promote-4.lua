-- Moves the delayed jobs that are due to the back of pending (an async retry whose wait is over).
-- Input:
--   KEYS[1] delayed   zset request id -> when it is due (epoch ms)
--   KEYS[2] pending   list of request ids
--   KEYS[3] jobs      hash request id -> invocation JSON
--   KEYS[4] wake      list of wake-up markers
--   ARGV[1] the most jobs to move in one call
-- Output:
--   the number of jobs moved
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
local moved = 0
for _, id in ipairs(due) do
  redis.call('ZREM', KEYS[1], id)
  if redis.call('HEXISTS', KEYS[3], id) == 1 then
    redis.call('RPUSH', KEYS[2], id)
    redis.call('RPUSH', KEYS[4], '1')
    moved = moved + 1
  end
end
return moved
