-- Adds one delivery's figures to its version's stats hash in one step, so a scrape never sees half of them
-- (e.g. a histogram bucket without its sum). HINCRBY only: the agent's ACL user has no other write to the hash.
-- Input:
--   KEYS[1] stats     hash field -> integer (see src/metrics/function-stats.ts)
--   ARGV[1], ARGV[2]  field, increment; then more pairs
-- Output:
--   the number of fields incremented
local n = 0
for i = 1, #ARGV, 2 do
  redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1])
  n = n + 1
end
return n
