// Shard leases and checkpoints of event source mappings: one poller (of any process) reads a shard for a mapping at a
// time; it renews its lease, and a lease that lapses is taken over. Checkpoints are written only under a held lease,
// so a poller that lost its shard cannot move the checkpoint its successor reads.
import type { RedisConnection } from '../../queue/connection.js';
import type { ShardKeys } from './keys.js';
import { runLua, type LuaScript } from './lua.js';

/**
 * Input: KEYS[1] the shard's leases hash; ARGV[1] mapping id, ARGV[2] owner, ARGV[3] lease ms.
 * Output: 1 when the lease is (now) the owner's until Redis's now + lease ms: it was free, lapsed or the owner's; else 0.
 */
const CLAIM: LuaScript = {
  name: 'claimShard',
  numberOfKeys: 1,
  lua: `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur then
  local sp = string.find(cur, ' ', 1, true)
  local owner = string.sub(cur, 1, sp - 1)
  local deadline = tonumber(string.sub(cur, sp + 1))
  if owner ~= ARGV[2] and deadline > now then return 0 end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ' ' .. (now + tonumber(ARGV[3])))
return 1`,
};

/**
 * Input: KEYS[1] leases hash, KEYS[2] checkpoints hash; ARGV[1] mapping id, ARGV[2] owner, ARGV[3] the Redis id done.
 * Output: 1 when written (the owner holds an unexpired lease), 0 otherwise.
 */
const CHECKPOINT: LuaScript = {
  name: 'checkpointShard',
  numberOfKeys: 2,
  lua: `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur then return 0 end
local sp = string.find(cur, ' ', 1, true)
if string.sub(cur, 1, sp - 1) ~= ARGV[2] or tonumber(string.sub(cur, sp + 1)) <= now then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
return 1`,
};

/**
 * Input: KEYS[1] leases hash; ARGV[1] mapping id, ARGV[2] owner.
 * Output: 1 when the owner's lease was dropped, 0 when it was not the owner's.
 */
const RELEASE: LuaScript = {
  name: 'releaseShard',
  numberOfKeys: 1,
  lua: `local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur or string.sub(cur, 1, string.find(cur, ' ', 1, true) - 1) ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
return 1`,
};

export class ShardLeases {
  constructor(private readonly redis: RedisConnection, private readonly mappingId: string, private readonly owner: string) {
    if (owner.includes(' ')) throw new RangeError('a lease owner has no spaces');
  }

  /** Takes or renews the lease for `leaseMs`; false when another poller holds it. */
  async claim(keys: ShardKeys, leaseMs: number): Promise<boolean> {
    return (await runLua(this.redis, CLAIM, [keys.leases], [this.mappingId, this.owner, leaseMs])) === 1;
  }

  async release(keys: ShardKeys): Promise<void> {
    await runLua(this.redis, RELEASE, [keys.leases], [this.mappingId, this.owner]);
  }

  /** Records that every record up to `id` is done; false when the lease is no longer ours (nothing written). */
  async checkpoint(keys: ShardKeys, id: string): Promise<boolean> {
    return (await runLua(this.redis, CHECKPOINT, [keys.leases, keys.checkpoints], [this.mappingId, this.owner, id])) === 1;
  }

  /** The Redis id of the last record done, or undefined before the first checkpoint. */
  async checkpointOf(keys: ShardKeys): Promise<string | undefined> {
    return (await this.redis.hget(keys.checkpoints, this.mappingId)) ?? undefined;
  }
}
