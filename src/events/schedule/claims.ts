// Claims on a rule's ticks in Redis: one scheduler fires each tick, another takes it over once the claim's lease
// lapses without the tick being done. Each step is one Lua script over the rule's two keys (one hash slot).
import type { RedisConnection } from '../../queue/connection.js';
import { scheduleKeys } from './keys.js';

/**
 * Input: KEYS[1] done, KEYS[2] the tick's claim; ARGV[1] tick (epoch ms), ARGV[2] owner id, ARGV[3] lease (ms).
 * Output: 0 the tick or a later one is done; 1 claimed for ARGV[2] until the lease ends; -1 another owner holds it.
 */
const CLAIM_LUA = `
local done = redis.call('GET', KEYS[1])
if done and tonumber(done) >= tonumber(ARGV[1]) then return 0 end
if redis.call('SET', KEYS[2], ARGV[2], 'NX', 'PX', ARGV[3]) then return 1 end
return -1`;

/**
 * Input: KEYS[1] done, KEYS[2] the tick's claim; ARGV[1] tick (epoch ms), ARGV[2] how long to keep done (ms; 0: no expiry).
 * Output: 1 done moved to this tick; 0 a later tick was already done (left as it is).
 */
const FINISH_LUA = `
redis.call('DEL', KEYS[2])
local done = redis.call('GET', KEYS[1])
if done and tonumber(done) >= tonumber(ARGV[1]) then return 0 end
if tonumber(ARGV[2]) > 0 then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) else redis.call('SET', KEYS[1], ARGV[1]) end
return 1`;

export type ClaimResult = 'claimed' | 'done' | 'held';

type ScriptCall = (...args: (string | number)[]) => Promise<unknown>;
const CLAIM = 'klambdaSchedule_claim';
const FINISH = 'klambdaSchedule_finish';
const defined = new WeakSet<RedisConnection>();

function script(redis: RedisConnection, name: string): ScriptCall {
  if (!defined.has(redis)) {
    redis.defineCommand(CLAIM, { numberOfKeys: 2, lua: CLAIM_LUA });
    redis.defineCommand(FINISH, { numberOfKeys: 2, lua: FINISH_LUA });
    defined.add(redis);
  }
  return (redis as unknown as Record<string, ScriptCall>)[name]!.bind(redis);
}

export class ScheduleClaims {
  constructor(private readonly redis: RedisConnection, private readonly prefix: string) {}

  /** Claims `tickMs` of the rule for `owner` for `leaseMs`, unless it (or a later tick) is done or held. */
  async claim(ruleKey: string, tickMs: number, owner: string, leaseMs: number): Promise<ClaimResult> {
    const k = scheduleKeys(this.prefix, ruleKey);
    const r = await script(this.redis, CLAIM)(k.done, k.claim(tickMs), tickMs, owner, Math.max(1, Math.ceil(leaseMs)));
    return r === 1 ? 'claimed' : r === 0 ? 'done' : 'held';
  }

  /** Marks `tickMs` done (fired) and drops its claim; `keepMs` 0 keeps the mark until a later tick replaces it. */
  async finish(ruleKey: string, tickMs: number, keepMs: number): Promise<void> {
    const k = scheduleKeys(this.prefix, ruleKey);
    await script(this.redis, FINISH)(k.done, k.claim(tickMs), tickMs, Math.max(0, Math.ceil(keepMs)));
  }
}
