-- Writes one field of a function's route hash when it changed, and tells the routers on the channel. A version's or
-- an alias's field is written only where the function's own field ("fn") is, in the same step, so one written as
-- its function is removed cannot outlive it (src/queue/routing-table.ts). The index of functions is another slot on a
-- Redis Cluster: the caller adds to it after this script (see RoutingTable for why that order is enough).
-- Input:
--   KEYS[1] route     hash of one function's routes: "fn", "v:<version>", "a:<alias>" -> JSON
--   ARGV[1] field
--   ARGV[2] its JSON
--   ARGV[3] the routes' channel
--   ARGV[4] "ns/fn"
--   ARGV[5] "1": write only under the function's own field
-- Output:
--   1 written, 0 already so, -1 no route of the function to write under (nothing written)
if ARGV[5] == '1' and redis.call('HEXISTS', KEYS[1], 'fn') == 0 then return -1 end
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1
