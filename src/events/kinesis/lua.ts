// Defines this folder's Lua scripts on a connection once and calls them by name (the scripts live beside their callers,
// as strings: each opens with its Input/Output contract).
import type { RedisConnection } from '../../queue/connection.js';

export interface LuaScript { name: string; numberOfKeys: number; lua: string }

type ScriptCall = (...args: (string | number)[]) => Promise<unknown>;
const defined = new WeakMap<RedisConnection, Set<string>>();

/** Command names carry a prefix so they cannot clash with ioredis methods or the queue's scripts. */
const commandName = (script: LuaScript): string => `klambdaKinesis_${script.name}`;

export function runLua(redis: RedisConnection, script: LuaScript, keys: string[], args: (string | number)[]): Promise<unknown> {
  if (keys.length !== script.numberOfKeys) throw new Error(`kinesis script ${script.name} takes ${script.numberOfKeys} keys, was given ${keys.length}`);
  let names = defined.get(redis);
  if (!names) defined.set(redis, names = new Set());
  if (!names.has(script.name)) {
    redis.defineCommand(commandName(script), { numberOfKeys: script.numberOfKeys, lua: script.lua });
    names.add(script.name);
  }
  const call = (redis as unknown as Record<string, ScriptCall>)[commandName(script)]!;
  return call.call(redis, ...keys, ...args);
}
