// The queue's atomic steps, as Lua run inside Redis. Kept in a module (not .lua files beside it) so the build ships
// them with the code. Every script takes the queue's ten keys (keys.ts scriptKeys), all under one hash tag.
// Input (all scripts):
//   KEYS[1] meta  KEYS[2] visible  KEYS[3] inflight  KEYS[4] delayed  KEYS[5] bodies
//   KEYS[6] receives  KEYS[7] first  KEYS[8] handles  KEYS[9] sent  KEYS[10] redrive
// Output: a table whose first element is a code; -1 is always "the queue does not exist" (errors.ts via store.ts).

/** Helpers every script starts with: Redis's clock, dropping a message, and settling what time changed. */
const PRELUDE = `
local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function drop(id)
  redis.call('ZREM', KEYS[2], id)
  redis.call('ZREM', KEYS[3], id)
  redis.call('ZREM', KEYS[4], id)
  redis.call('ZREM', KEYS[9], id)
  redis.call('HDEL', KEYS[5], id)
  redis.call('HDEL', KEYS[6], id)
  redis.call('HDEL', KEYS[7], id)
  redis.call('HDEL', KEYS[8], id)
end
local function makeVisible(from, id, now)
  redis.call('ZREM', from, id)
  redis.call('ZADD', KEYS[2], redis.call('ZSCORE', KEYS[9], id) or now, id)
end
-- retention, then delayed messages that are due and in-flight ones past their deadline back to visible (bounded work)
local function settle(now)
  local retention = tonumber(redis.call('HGET', KEYS[1], 'MessageRetentionPeriod') or '345600') * 1000
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[9], '-inf', now - retention, 'LIMIT', 0, 1000)) do drop(id) end
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', now, 'LIMIT', 0, 1000)) do makeVisible(KEYS[4], id, now) end
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, 1000)) do makeVisible(KEYS[3], id, now) end
end
`;

export const SQS_LUA = {
  /**
   * Creates the queue, or checks it against the attributes given.
   * ARGV[1] 'create' | 'ensure'   ARGV[2] JSON {name: value} of the new queue's attributes   ARGV[3] JSON of the
   * attributes the caller named (compared with an existing queue's; '' equals absent).
   * Output: {1} created; {0} it existed (and agrees); {-2, name} it exists with another value of `name`.
   */
  create: `
if redis.call('EXISTS', KEYS[1]) == 1 then
  if ARGV[1] == 'ensure' then return {0} end
  for name, value in pairs(cjson.decode(ARGV[3])) do
    if (redis.call('HGET', KEYS[1], name) or '') ~= value then return {-2, name} end
  end
  return {0}
end
local secs = math.floor(nowMs() / 1000)
for name, value in pairs(cjson.decode(ARGV[2])) do redis.call('HSET', KEYS[1], name, value) end
redis.call('HSET', KEYS[1], 'CreatedTimestamp', secs, 'LastModifiedTimestamp', secs)
return {1}`,

  /** ARGV[1] JSON {name: value}; '' removes the attribute. Output: {1} or {-1}. */
  setAttributes: `
if redis.call('EXISTS', KEYS[1]) == 0 then return {-1} end
for name, value in pairs(cjson.decode(ARGV[1])) do
  if value == '' then redis.call('HDEL', KEYS[1], name) else redis.call('HSET', KEYS[1], name, value) end
end
redis.call('HSET', KEYS[1], 'LastModifiedTimestamp', math.floor(nowMs() / 1000))
return {1}`,

  /**
   * Tags: ARGV[1] JSON {key: value} to set, ARGV[2] JSON [key] to remove (a value may be ''), each kept as the meta
   * field `_tag:<key>`. Output: {1, tags now}; {-2} more than ARGV[3] tags would be kept (nothing changed).
   */
  tag: `
if redis.call('EXISTS', KEYS[1]) == 0 then return {-1} end
local set = cjson.decode(ARGV[1])
local remove = cjson.decode(ARGV[2])
local count = 0
local fields = redis.call('HKEYS', KEYS[1])
local present = {}
for _, f in ipairs(fields) do if string.sub(f, 1, 5) == '_tag:' then present[f] = true; count = count + 1 end end
for _, k in ipairs(remove) do if present['_tag:' .. k] then present['_tag:' .. k] = nil; count = count - 1 end end
for k, _ in pairs(set) do if not present['_tag:' .. k] then present['_tag:' .. k] = true; count = count + 1 end end
if count > tonumber(ARGV[3]) then return {-2} end
for _, k in ipairs(remove) do redis.call('HDEL', KEYS[1], '_tag:' .. k) end
for k, v in pairs(set) do redis.call('HSET', KEYS[1], '_tag:' .. k, v) end
return {1, count}`,

  /**
   * ARGV[1] message id  ARGV[2] the stored message (JSON)  ARGV[3] delay seconds (-1: the queue's DelaySeconds)
   * ARGV[4] its size (checked against MaximumMessageSize; 0 skips)  ARGV[5] sent time (ms; 0: now).
   * Output: {1, sent ms}; {0, sent ms} a message with this id is already stored (a redone send); {-2, max size}.
   */
  send: `
if redis.call('EXISTS', KEYS[1]) == 0 then return {-1} end
local max = tonumber(redis.call('HGET', KEYS[1], 'MaximumMessageSize') or '262144')
if tonumber(ARGV[4]) > max then return {-2, max} end
local now = nowMs()
if redis.call('HSETNX', KEYS[5], ARGV[1], ARGV[2]) == 0 then return {0, tonumber(redis.call('ZSCORE', KEYS[9], ARGV[1]) or now)} end
local sentAt = tonumber(ARGV[5])
if sentAt == 0 then sentAt = now end
redis.call('ZADD', KEYS[9], sentAt, ARGV[1])
local delay = tonumber(ARGV[3])
if delay < 0 then delay = tonumber(redis.call('HGET', KEYS[1], 'DelaySeconds') or '0') end
if delay > 0 then redis.call('ZADD', KEYS[4], now + delay * 1000, ARGV[1]) else redis.call('ZADD', KEYS[2], sentAt, ARGV[1]) end
return {1, sentAt}`,

  /**
   * Receives up to ARGV[1] messages, oldest first, for ARGV[2] seconds (-1: the queue's VisibilityTimeout); ARGV[3..]
   * are the new receipt-handle tokens, one per message. A message already received maxReceiveCount times goes to the
   * redrive list instead (the store moves it to the dead-letter queue, another slot).
   * Output: {1, messages waiting for the redrive, the queue's ReceiveMessageWaitTimeSeconds,
   *          {id, token, message, receive count, first receive ms, sent ms}, …}
   */
  receive: `
if redis.call('EXISTS', KEYS[1]) == 0 then return {-1} end
local now = nowMs()
settle(now)
local max = tonumber(ARGV[1])
local vt = tonumber(ARGV[2])
if vt < 0 then vt = tonumber(redis.call('HGET', KEYS[1], 'VisibilityTimeout') or '30') end
local maxReceives = tonumber(redis.call('HGET', KEYS[1], '_maxReceiveCount') or '0')
local out = {1, 0, redis.call('HGET', KEYS[1], 'ReceiveMessageWaitTimeSeconds') or '0'}
local taken = 0
-- bounded: messages set aside for the redrive do not count as taken
local looked = 0
while taken < max and looked < max + 100 do
  looked = looked + 1
  local head = redis.call('ZRANGE', KEYS[2], 0, 0)
  if #head == 0 then break end
  local id = head[1]
  redis.call('ZREM', KEYS[2], id)
  local count = tonumber(redis.call('HGET', KEYS[6], id) or '0')
  local body = redis.call('HGET', KEYS[5], id)
  if not body then
    drop(id)
  elseif maxReceives > 0 and count >= maxReceives then
    redis.call('RPUSH', KEYS[10], id)
  else
    taken = taken + 1
    count = count + 1
    local token = ARGV[2 + taken]
    redis.call('HSET', KEYS[6], id, count)
    redis.call('HSETNX', KEYS[7], id, now)
    redis.call('HSET', KEYS[8], id, token)
    redis.call('ZADD', KEYS[3], now + vt * 1000, id)
    out[#out + 1] = {id, token, body, count, redis.call('HGET', KEYS[7], id), redis.call('ZSCORE', KEYS[9], id) or tostring(now)}
  end
end
out[2] = redis.call('LLEN', KEYS[10])
return out`,

  /** ARGV[1] message id  ARGV[2] the handle's token. Output: {1} deleted; {0} not the latest handle (nothing done). */
  delete: `
if redis.call('EXISTS', KEYS[1]) == 0 then return {-1} end
if redis.call('HGET', KEYS[8], ARGV[1]) ~= ARGV[2] then return {0} end
drop(ARGV[1])
return {1}`,

  /**
   * ARGV[1] message id  ARGV[2] the handle's token  ARGV[3] seconds from now (0: visible at once).
   * Output: {1}; {-2} the handle is not the latest or the message is gone; {-3} the message is not in flight.
   */
  changeVisibility: `
if redis.call('EXISTS', KEYS[1]) == 0 then return {-1} end
if redis.call('HGET', KEYS[8], ARGV[1]) ~= ARGV[2] then return {-2} end
local now = nowMs()
local deadline = redis.call('ZSCORE', KEYS[3], ARGV[1])
if not deadline or tonumber(deadline) <= now then return {-3} end
local seconds = tonumber(ARGV[3])
if seconds == 0 then makeVisible(KEYS[3], ARGV[1], now) else redis.call('ZADD', KEYS[3], now + seconds * 1000, ARGV[1]) end
return {1}`,

  /** Output: {1, visible, in flight, delayed, meta as a flat list}. */
  stats: `
if redis.call('EXISTS', KEYS[1]) == 0 then return {-1} end
settle(nowMs())
return {1, redis.call('ZCARD', KEYS[2]), redis.call('ZCARD', KEYS[3]), redis.call('ZCARD', KEYS[4]), redis.call('HGETALL', KEYS[1])}`,

  /** Deletes every message; once a minute at most. Output: {1}; {-2} purged less than 60 s ago. */
  purge: `
if redis.call('EXISTS', KEYS[1]) == 0 then return {-1} end
local now = nowMs()
local last = tonumber(redis.call('HGET', KEYS[1], '_purgedAt') or '0')
if now - last < 60000 then return {-2} end
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10])
redis.call('HSET', KEYS[1], '_purgedAt', now)
return {1}`,

  /** ARGV[1] message id: off the redrive list and gone (it is in the dead-letter queue now). Output: {1}. */
  forget: `
redis.call('LREM', KEYS[10], 0, ARGV[1])
drop(ARGV[1])
return {1}`,
} as const;

export type SqsScriptName = keyof typeof SQS_LUA;

export const SQS_SCRIPT_KEYS = 10;

/** The full text of a script: the prelude, then its body. */
export const scriptText = (name: SqsScriptName): string => `${PRELUDE}\n${SQS_LUA[name]}`;
