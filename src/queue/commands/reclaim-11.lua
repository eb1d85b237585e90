-- Puts jobs whose consumer is gone back at the front of pending: those whose lease expired, and those sitting
-- in active with no lease at all (today's consumers take a job and its lease in one script, so only an agent of an
-- older klambda, which moved with BLMOVE and then leased, leaves one: it died in between). The second kind is
-- reclaimed only on a later pass than the one that first saw it, and at least ARGV[1] ms after (BullMQ's two-pass
-- stalled check).
-- Input:
--   KEYS[1] pending   list of request ids
--   KEYS[2] active    list of request ids
--   KEYS[3] leases    zset request id -> lease deadline (ms)
--   KEYS[4] stalled   zset request id -> first seen active without a lease (ms)
--   KEYS[5] jobs      hash request id -> invocation JSON
--   KEYS[6] attempts  hash request id -> deliveries so far
--   KEYS[7] dead      list of dead-letter records (JSON), oldest first
--   KEYS[8] stats     the version's stats hash (dead_letters counter)
--   KEYS[9] outcomes  list of outcome records the dispatcher settles: an async event given up goes there (to its
--                     onFailure destination or dead-letter target), a synchronous one to the dead letters
--   KEYS[10] wake     list of wake-up markers: one per job put back
--   KEYS[11] delayed  zset request id -> when it is due (ms): an async event whose consumer went away waits there
--   ARGV[1] how long a job must stay active without a lease before it is reclaimed (ms)
--   ARGV[2] the most deliveries a job gets (0: no cap): a job whose lease expired that many times (it kills its
--           runtime, agent or pod each time) is given up with the reason, never back to pending
--   ARGV[3] the most records the dead list keeps (the oldest go first)
--   ARGV[4] backoff of an async event whose lease expired (a system error, as Lambda retries them): it is due again
--           ARGV[4] * 2^(deliveries - 1) ms later, at most ARGV[5] ms; 0: back to pending at once like any job
--   ARGV[5] the longest such backoff (ms)
-- Output:
--   {jobs reclaimed because their lease expired (to pending, or an async event to delayed), jobs reclaimed because
--    they were never leased, jobs given up, jobs pending after the pass}
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local grace = tonumber(ARGV[1])
local maxDeliveries = tonumber(ARGV[2])
local backoffBase = tonumber(ARGV[4])
local backoffMax = tonumber(ARGV[5])
local reclaimed = {}
local deadCount = 0

local function isEvent(body)
  local ok, inv = pcall(cjson.decode, body)
  return ok and type(inv) == 'table' and inv.type == 'Event'
end

-- gives a job up: an async event to the dispatcher (its failure destination decides where it goes), anything else on
-- the dead-letter list with the reason; its body and count gone, counted
local function bury(id, attempts)
  local body = redis.call('HGET', KEYS[5], id)
  if body then
    if isEvent(body) then
      redis.call('RPUSH', KEYS[9], cjson.encode({ invocation = body, notRun = 'DeliveryFailed' }))
    else
      redis.call('RPUSH', KEYS[7], cjson.encode({
        requestId = id, attempts = attempts, deadAt = now, invocation = body,
        reason = 'its consumer went away during each of ' .. attempts .. ' deliveries (the runtime, agent or pod died or hung past the lease)',
      }))
      redis.call('LTRIM', KEYS[7], -tonumber(ARGV[3]), -1)
      redis.call('HINCRBY', KEYS[8], 'dead_letters', 1)
    end
    deadCount = deadCount + 1
  end
  redis.call('HDEL', KEYS[5], id)
  redis.call('HDEL', KEYS[6], id)
end

-- 1. one pass over active, in the order the jobs were taken (so reclaimed jobs keep their FIFO order):
--    an expired lease is reclaimed at once; no lease at all is marked on first sight and reclaimed once
--    it has been marked long enough
local expiredCount = 0
local stalledCount = 0
local unleased = {}
for _, id in ipairs(redis.call('LRANGE', KEYS[2], 0, -1)) do
  local deadline = redis.call('ZSCORE', KEYS[3], id)
  if deadline then
    if tonumber(deadline) <= now then
      redis.call('ZREM', KEYS[3], id)
      redis.call('LREM', KEYS[2], 1, id)
      local attempts = tonumber(redis.call('HGET', KEYS[6], id) or '0')
      local body = redis.call('HGET', KEYS[5], id)
      if maxDeliveries > 0 and attempts >= maxDeliveries then
        bury(id, attempts)
      elseif backoffBase > 0 and body and isEvent(body) then
        local wait = math.min(backoffBase * 2 ^ math.max(attempts - 1, 0), backoffMax)
        redis.call('ZADD', KEYS[11], now + math.floor(wait), id)
        expiredCount = expiredCount + 1
      else
        reclaimed[#reclaimed + 1] = id
        expiredCount = expiredCount + 1
      end
    end
  else
    local seen = redis.call('ZSCORE', KEYS[4], id)
    if not seen then
      redis.call('ZADD', KEYS[4], now, id)
      unleased[id] = true
    elseif now - tonumber(seen) >= grace then
      redis.call('LREM', KEYS[2], 1, id)
      redis.call('ZREM', KEYS[4], id)
      reclaimed[#reclaimed + 1] = id
      stalledCount = stalledCount + 1
    else
      unleased[id] = true
    end
  end
end

-- 2. expired leases of jobs no longer active (acked or purged meanwhile) are just forgotten
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)

-- 3. forget marks of jobs that have since been leased, acked or released
for _, id in ipairs(redis.call('ZRANGE', KEYS[4], 0, -1)) do
  if not unleased[id] then
    redis.call('ZREM', KEYS[4], id)
  end
end

-- oldest first at the front of pending
for i = #reclaimed, 1, -1 do
  redis.call('LPUSH', KEYS[1], reclaimed[i])
  redis.call('RPUSH', KEYS[10], '1')
end
return {expiredCount, stalledCount, deadCount, redis.call('LLEN', KEYS[1])}
