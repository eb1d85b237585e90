// Loads the Lua scripts of ./commands once, defines them on a connection (EVALSHA, EVAL on NOSCRIPT) and calls them by name.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RedisConnection } from './connection.js';

export type ScriptName = 'enqueue' | 'moveToActive' | 'ack' | 'release' | 'reclaim' | 'setRoute'
  | 'complete' | 'extendLease' | 'retry' | 'promote' | 'giveUp' | 'appendStream';


export interface ScriptSource {
  name: string;
  numberOfKeys: number;
  file: string;
  lua: string;
}

const FILE = /^([A-Za-z]+)-(\d+)\.lua$/;

/** Beside this module: src/queue/commands from source, dist/queue/commands (copied by `npm run build`) when built. */
export const commandsDir = (): string => fileURLToPath(new URL('./commands', import.meta.url));

let sources: Map<string, ScriptSource> | undefined;

/** Every `verb-<numKeys>.lua` in the commands folder, read from disk on first use. */
export function scriptSources(): Map<string, ScriptSource> {
  if (sources) return sources;
  const dir = commandsDir();
  const found = new Map<string, ScriptSource>();
  for (const file of readdirSync(dir).sort()) {
    const m = FILE.exec(file);
    if (!m?.[1] || !m[2]) continue;
    found.set(m[1], { name: m[1], numberOfKeys: Number(m[2]), file, lua: readFileSync(join(dir, file), 'utf8') });
  }
  sources = found;
  return found;
}

/** Command names carry a prefix so they cannot clash with ioredis methods or another module's scripts. */
const commandName = (name: ScriptName): string => `klambdaQueue_${name}`;

type ScriptCall = (...args: (string | number | Buffer)[]) => Promise<unknown>;
const defined = new WeakSet<RedisConnection>();

/** Defines every script on `redis` (once per connection). Throws if a script the code needs is missing. */
export function defineScripts(redis: RedisConnection): void {
  if (defined.has(redis)) return;
  const all = scriptSources();
  const needed: ScriptName[] = ['enqueue', 'moveToActive', 'ack', 'release', 'reclaim', 'setRoute',
    'complete', 'extendLease', 'retry', 'promote', 'giveUp', 'appendStream'];
  for (const name of needed) {
    const src = all.get(name);
    if (!src) throw new Error(`queue script ${name}-<numKeys>.lua is missing from ${commandsDir()}`);
    redis.defineCommand(commandName(name), { numberOfKeys: src.numberOfKeys, lua: src.lua });
  }
  defined.add(redis);
}

/** Runs a script by name. `keys.length` must match the script's declared number of keys. */
export function runScript(redis: RedisConnection, name: ScriptName, keys: string[], args: (string | number | Buffer)[]): Promise<unknown> {
  defineScripts(redis);
  return scriptCall(redis, name, keys).call(redis, ...keys, ...args);
}

function scriptCall(redis: RedisConnection, name: ScriptName, keys: string[]): ScriptCall {
  const src = scriptSources().get(name);
  if (src && src.numberOfKeys !== keys.length) {
    throw new Error(`queue script ${src.file} takes ${src.numberOfKeys} keys, was given ${keys.length}`);
  }
  const call = (redis as unknown as Record<string, ScriptCall>)[commandName(name)];
  if (!call) throw new Error(`queue script ${name} is not defined on this connection`);
  return call;
}
