-- Appends one chunk of a streamed response to the Redis Stream the waiting router reads (XREAD BLOCK). Only the
-- holder of the job's current lease can: no other client, and no earlier, reclaimed delivery, writes into the answer.
-- The stream expires by itself when nobody reads it (its router died).
-- Input:
--   KEYS[1] attempts  hash request id -> deliveries so far
--   KEYS[2] leases    zset request id -> lease deadline (ms)
--   KEYS[3] jobs      hash request id -> invocation JSON
--   KEYS[4] stream    the response stream (keys.ts responseStreamKey) under this queue's hash tag
--   ARGV[1] request id
--   ARGV[2] attempt of the lease (the lease token)
--   ARGV[3] how long an unread stream lives (ms)
--   ARGV[4], ARGV[5]  a field and its value (d: the bytes, t: the content type, e: the end mark); then more pairs
-- Each entry also carries a: the attempt, so the reader notices a redelivery writing into the same answer.
-- Output:
--   1   appended
--   -1  the lease was lost (reclaimed, redelivered or purged): nothing appended
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then
  return -1
end
if not redis.call('ZSCORE', KEYS[2], ARGV[1]) or redis.call('HEXISTS', KEYS[3], ARGV[1]) == 0 then
  return -1
end
local fields = {'a', ARGV[2]}
for i = 4, #ARGV do
  fields[#fields + 1] = ARGV[i]
end
redis.call('XADD', KEYS[4], '*', unpack(fields))
redis.call('PEXPIRE', KEYS[4], ARGV[3])
return 1
