// Defines the queue's Lua scripts (lua.ts) once per connection (EVALSHA, EVAL on NOSCRIPT) and calls them by name.
import type { RedisConnection } from '../../queue/connection.js';
import { scriptText, SQS_LUA, SQS_SCRIPT_KEYS, type SqsScriptName } from './lua.js';

/** Prefixed so they cannot clash with ioredis methods or the work queue's scripts. */
const commandName = (name: SqsScriptName): string => `klambdaSqs_${name}`;

const defined = new WeakSet<RedisConnection>();

export function defineSqsScripts(redis: RedisConnection): void {
  if (defined.has(redis)) return;
  for (const name of Object.keys(SQS_LUA) as SqsScriptName[]) {
    redis.defineCommand(commandName(name), { numberOfKeys: SQS_SCRIPT_KEYS, lua: scriptText(name) });
  }
  defined.add(redis);
}

type ScriptCall = (...args: (string | number)[]) => Promise<unknown>;

/** Runs a script on the queue's ten keys; its reply is a table whose first element is a code. */
export async function runSqsScript(redis: RedisConnection, name: SqsScriptName, keys: readonly string[], args: (string | number)[]): Promise<unknown[]> {
  if (keys.length !== SQS_SCRIPT_KEYS) throw new Error(`sqs script ${name} takes ${SQS_SCRIPT_KEYS} keys, was given ${keys.length}`);
  defineSqsScripts(redis);
  const call = (redis as unknown as Record<string, ScriptCall>)[commandName(name)]!;
  const reply = await call.call(redis, ...keys, ...args);
  if (!Array.isArray(reply)) throw new Error(`sqs script ${name} answered ${JSON.stringify(reply)}`);
  return reply as unknown[];
}
