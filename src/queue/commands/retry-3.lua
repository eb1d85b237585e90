-- Schedules an async event's next run: its outcome record is settled and its invocation (with the run count up)
-- waits in the delayed set until it is due, in one step, so a dispatcher that dies in between neither loses it nor
-- schedules it twice.
-- Input:
--   KEYS[1] outcomes  list of outcome records
--   KEYS[2] jobs      hash request id -> invocation JSON
--   KEYS[3] delayed   zset request id -> when it is due (epoch ms)
--   ARGV[1] the outcome record being settled (exactly as read)
--   ARGV[2] request id
--   ARGV[3] invocation JSON for the next run
--   ARGV[4] due time (epoch ms)
-- Output:
--   1  scheduled
--   0  the record was already settled (by another dispatcher): nothing changed
if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 0 then
  return 0
end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[2])
return 1
