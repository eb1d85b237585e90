-- Gives an async event up to the version's dead letters (it failed and has no destination to go to, or its
-- destination cannot be delivered to): its outcome record is settled and the dead-letter record written in one step.
-- Input:
--   KEYS[1] outcomes  list of outcome records
--   KEYS[2] dead      list of dead-letter records (JSON), oldest first
--   KEYS[3] stats     the version's stats hash (dead_letters counter)
--   ARGV[1] the outcome record being settled (exactly as read)
--   ARGV[2] the dead-letter record (JSON)
--   ARGV[3] the most records the dead list keeps (the oldest go first)
-- Output:
--   1  given up
--   0  the record was already settled: nothing changed
if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 0 then
  return 0
end
redis.call('RPUSH', KEYS[2], ARGV[2])
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[3]), -1)
redis.call('HINCRBY', KEYS[3], 'dead_letters', 1)
return 1
